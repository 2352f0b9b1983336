package org.fedfms.privacy;

/** Sums and differences of numbers held as their natural logarithms. */
final class LogSpace {

    private LogSpace() {
    }

    /** log(eˣ + eʸ). */
    static double add(double x, double y) {
        double hi = Math.max(x, y);
        double lo = Math.min(x, y);
        if (hi == Double.NEGATIVE_INFINITY) {
            return hi;
        }
        return hi + Math.log1p(Math.exp(lo - hi));
    }

    /** log(eˣ − eʸ), for x ≥ y. */
    static double subtract(double x, double y) {
        if (y > x) {
            throw new ArithmeticException("log-space difference would be negative: log " + x + " - log " + y);
        }
        if (y == Double.NEGATIVE_INFINITY) {
            return x;
        }
        if (x == y) {
            return Double.NEGATIVE_INFINITY;
        }
        return x + Math.log(-Math.expm1(y - x));
    }
}
