package org.fedfms.federation;

/**
 * Follows the federation: published as an OSGi service (whiteboard) or added with
 * {@link FederationService#addListener}. Events arrive in order on one dispatch thread, never on the round
 * thread, so a slow listener delays other listeners but never a round; exceptions are logged and ignored.
 */
@FunctionalInterface
public interface FederationListener {

    /** One thing that happened in an experiment. */
    void onEvent(FederationEvent event);
}
