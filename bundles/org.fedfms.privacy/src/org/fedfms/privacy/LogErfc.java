package org.fedfms.privacy;

/**
 * The natural logarithm of the complementary error function, accurate to about 1e-13 relative over
 * the whole real line (the JDK has no erfc). A power series of erf below 2, a continued fraction of
 * erfc from 2 on, so that far tails (erfc(40) is about 1e-697) stay finite as logarithms.
 */
final class LogErfc {

    private static final double SERIES_LIMIT = 2.0;
    private static final double LOG_SQRT_PI = 0.5 * Math.log(Math.PI);

    private LogErfc() {
    }

    static double of(double x) {
        if (Double.isNaN(x)) {
            return Double.NaN;
        }
        if (x < 0) {
            return Math.log(2.0 - Math.exp(of(-x)));
        }
        if (x < SERIES_LIMIT) {
            return Math.log1p(-erfBySeries(x));
        }
        return -x * x - LOG_SQRT_PI - Math.log(continuedFraction(x));
    }

    /** erf(x) = 2/√π · e^(−x²) · Σ 2ⁿ x^(2n+1) / (1·3·…·(2n+1)): positive terms, no cancellation. */
    private static double erfBySeries(double x) {
        double term = x;
        double sum = x;
        for (int n = 1; n < 500 && term > 1e-17 * sum; n++) {
            term *= 2.0 * x * x / (2 * n + 1);
            sum += term;
        }
        return 2.0 / Math.sqrt(Math.PI) * Math.exp(-x * x) * sum;
    }

    /** x + (1/2)/(x + 1/(x + (3/2)/(x + …))), so that erfc(x) = e^(−x²) / (√π · this), by Lentz's method. */
    private static double continuedFraction(double x) {
        double tiny = 1e-300;
        double f = x;
        double c = f;
        double d = 0.0;
        for (int n = 1; n < 5000; n++) {
            double a = 0.5 * n;
            d = x + a * d;
            d = Math.abs(d) < tiny ? 1.0 / tiny : 1.0 / d;
            c = x + a / c;
            if (Math.abs(c) < tiny) {
                c = tiny;
            }
            double delta = c * d;
            f *= delta;
            if (Math.abs(delta - 1.0) < 1e-16) {
                break;
            }
        }
        return f;
    }
}
