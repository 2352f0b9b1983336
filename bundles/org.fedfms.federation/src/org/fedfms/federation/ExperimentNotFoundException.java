package org.fedfms.federation;

/**
 * No experiment has the name an operation was given; the message names it and lists the experiments there
 * are. Faces map it to "not found" (the REST server's 404) rather than reading the message.
 */
public class ExperimentNotFoundException extends FederationException {

    private static final long serialVersionUID = 1L;

    private final String experiment;

    public ExperimentNotFoundException(String experiment, String message) {
        super(message);
        this.experiment = experiment;
    }

    /** The name no experiment has. */
    public String experiment() {
        return experiment;
    }
}
