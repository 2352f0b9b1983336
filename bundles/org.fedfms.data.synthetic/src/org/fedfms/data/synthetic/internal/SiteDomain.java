package org.fedfms.data.synthetic.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * How one synthetic site (scanner, protocol, population) differs from the others.
 *
 * @param background mean intensity of body tissue, 0..255
 * @param contrast how much brighter the organ is than the tissue around it
 * @param noiseSigma standard deviation of the Gaussian noise added to every pixel
 * @param blurPasses 3×3 box blurs applied before noise (scanner point spread)
 * @param resolution rendered resolution as a share of the image size (lower is upsampled, blurrier)
 * @param fieldOfView scale of the anatomy in the image (larger: bigger organs, a tighter field of view)
 * @param organRate share of cases that show the organ (the rest are background only)
 * @param lesionRate share of cases with a lesion inside the organ
 */
public record SiteDomain(double background, double contrast, double noiseSigma, int blurPasses, double resolution,
        double fieldOfView, double organRate, double lesionRate) {

    /** Properties that vary between sites, each with its own order of sites. */
    private static final int PROPERTIES = 8;

    /** The site without any shift: what every site looks like at shift strength 0. */
    public static final SiteDomain CENTRE = new SiteDomain(70, 80, 7, 0, 1.0, 1.0, 0.9, 0.5);

    /**
     * The domain of site {@code site} of {@code sites}. Each property places the sites evenly on
     * [-1, 1] in its own seeded order, so that sites differ along several axes at once; {@code shift}
     * (0..1) scales every offset from {@link #CENTRE}.
     */
    public static SiteDomain of(int site, int sites, double shift, long seed) {
        double[] u = new double[PROPERTIES];
        for (int j = 0; j < PROPERTIES; j++) {
            u[j] = position(site, sites, seed, j);
        }
        double s = shift;
        return new SiteDomain(
                CENTRE.background + 40 * s * u[0],
                CENTRE.contrast * (1 + 0.6 * s * u[1]),
                CENTRE.noiseSigma * Math.exp(0.9 * s * u[2]),
                (int) Math.round(1.5 * s * (1 + u[3])),
                1.0 - 0.25 * s * (1 + u[4]),
                Math.exp(0.35 * s * u[5]),
                CENTRE.organRate - 0.125 * s * (1 + u[6]),
                CENTRE.lesionRate + 0.4 * s * u[7]);
    }

    private static double position(int site, int sites, long seed, int property) {
        if (sites <= 1) {
            return 0;
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < sites; i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(seed * 1_000_003L + property));
        return -1 + 2.0 * order.indexOf(site) / (sites - 1);
    }
}
