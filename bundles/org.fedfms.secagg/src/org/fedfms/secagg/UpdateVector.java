package org.fedfms.secagg;

import org.fedfms.api.ParameterSet;
import org.fedfms.api.Tensor;

/**
 * An update as the one vector the protocol masks: the values of every tensor of the global model, in the global's
 * tensor order, which every site and the coordinator share. One rule for the simulation and the site agents.
 */
public final class UpdateVector {

    private UpdateVector() {
    }

    /** The values of {@code update} in the tensor order of {@code layout}, as one vector. */
    public static float[] flatten(ParameterSet layout, ParameterSet update) {
        float[] out = new float[Math.toIntExact(layout.parameterCount())];
        int at = 0;
        for (String name : layout.names()) {
            float[] v = update.get(name).values();
            System.arraycopy(v, 0, out, at, v.length);
            at += v.length;
        }
        return out;
    }

    /** The vector back as tensors of {@code layout}'s names and shapes. */
    public static ParameterSet unflatten(ParameterSet layout, float[] values) {
        ParameterSet.Builder b = ParameterSet.builder();
        int at = 0;
        for (String name : layout.names()) {
            Tensor t = layout.get(name);
            float[] v = new float[t.size()];
            System.arraycopy(values, at, v, 0, v.length);
            at += v.length;
            b.add(name, t.shape(), v);
        }
        return b.build();
    }
}
