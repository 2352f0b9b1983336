package org.fedfms.api.strategy;

/** A round could not be aggregated, or one site's result was rejected; the message says why. */
public class AggregationException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public AggregationException(String message) {
        super(message);
    }

    /** That round {@code round} ended without one usable update to aggregate. */
    public static AggregationException nothingDelivered(int round) {
        return new AggregationException("round " + round + ": no site delivered a usable update");
    }
}
