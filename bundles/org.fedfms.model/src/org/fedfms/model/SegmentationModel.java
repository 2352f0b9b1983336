package org.fedfms.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Predicate;

import org.fedfms.api.ParameterSet;
import org.fedfms.api.Tensor;
import org.fedfms.model.nn.ModelParameter;
import org.fedfms.model.nn.Module;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * A promptable segmentation model: a tree of modules whose top-level children are its parts
 * ({@code image_encoder}, {@code prompt_encoder}, {@code mask_decoder} for SAM), with parameters by
 * stable names.
 *
 * <p>Life cycle: a {@link ModelVariant} creates the structure (shapes, no memory); adapter types insert
 * modules and choose what trains; {@link #initialize} allocates and fills the values in an
 * {@link NDManager} the model then owns; {@link #load} replaces values; {@link #close} frees them.
 *
 * <p>Training: run {@link #predict} inside a DJL {@code GradientCollector} on arrays of a per-batch
 * sub-manager of {@link #manager()}, then {@link ModelOptimizer#step}. Only trainable parameters get
 * gradients; frozen ones stay bitwise unchanged.
 */
public abstract class SegmentationModel extends Module implements AutoCloseable {

    private final String variantId;
    private final List<String> adapters = new ArrayList<>();
    private NDManager manager;
    private long seed;

    protected SegmentationModel(String variantId) {
        this.variantId = variantId;
    }

    /** The variant that built this model. */
    public final String variantId() {
        return variantId;
    }

    /** Square input size in pixels. */
    public abstract int inputSize();

    /** Side of the low-resolution mask logits. */
    public abstract int lowResSize();

    /** The blocks adapter types may extend, in order. */
    public abstract List<AdaptableBlock> adaptableBlocks();

    /**
     * Predicts masks for a batch of preprocessed images.
     *
     * @param images {@code [B, 3, S, S]}, normalised and padded (see {@link #preprocess})
     * @param prompts prompts per image, or {@link Prompts#none()}
     * @param multimask three masks per image instead of one
     * @return arrays in the manager of {@code images}
     */
    public abstract MaskPrediction predict(NDArray images, Prompts prompts, boolean multimask);

    /**
     * Normalises an RGB image the way the model was trained on (channel mean and std on 0..255 values)
     * and zero-pads it at the bottom and right to the input size.
     *
     * @param rgb {@code height × width × 3} values, row-major, 0..255
     * @return {@code [3, S, S]} values, row-major
     * @throws IllegalArgumentException if the image is larger than the input size
     */
    public abstract float[] preprocess(float[] rgb, int height, int width);

    /**
     * The model's names for the tensor names of one weights file: other naming schemes map onto the
     * model's own here (decided for the file as a whole, since schemes can share names with different
     * meanings); a name maps to {@code null} when the model ignores it on purpose.
     */
    public Map<String, String> canonicalNames(List<String> namesInFile) {
        Map<String, String> m = new LinkedHashMap<>();
        namesInFile.forEach(n -> m.put(n, n));
        return m;
    }

    /** Records that an adapter type changed this model; called by adapter types. */
    public final void recordAdapter(String adapterId) {
        adapters.add(adapterId);
    }

    /**
     * Completes an adapter type's change of this model: the tensors it added (marked with its id) and the
     * tensors of the {@code alsoTrained} parts train, the rest is frozen; the added tensors are initialised
     * (once the model is) and the adapter is recorded.
     */
    public final void completeAdapter(String adapterId, String... alsoTrained) {
        Set<String> added = new HashSet<>();
        tensors().forEach((n, p) -> {
            if (adapterId.equals(p.addedBy())) {
                added.add(n);
            }
        });
        setTrainable(n -> added.contains(n) || Arrays.stream(alsoTrained).anyMatch(part -> n.startsWith(part + ".")));
        initializeNew();
        recordAdapter(adapterId);
    }

    /** The adapter types applied, in order. */
    public final List<String> adapters() {
        return List.copyOf(adapters);
    }

    /** The parts: the top-level children, e.g. {@code image_encoder}. */
    public final List<String> parts() {
        return List.copyOf(children().keySet());
    }

    /** Every tensor (parameters and buffers) by full name, in state-dict order. */
    public final Map<String, ModelParameter> tensors() {
        return namedTensors("");
    }

    /** The learnable parameters by full name (no buffers), frozen or not. */
    public final Map<String, ModelParameter> parameters() {
        Map<String, ModelParameter> m = new LinkedHashMap<>();
        tensors().forEach((n, p) -> {
            if (!p.isBuffer()) {
                m.put(n, p);
            }
        });
        return m;
    }

    /** The parameters that train, in state-dict order. */
    public final List<ModelParameter> trainableParameters() {
        List<ModelParameter> l = new ArrayList<>();
        tensors().values().forEach(p -> {
            if (p.isTrainable()) {
                l.add(p);
            }
        });
        return l;
    }

    /** Number of learnable scalar parameters (buffers excluded). */
    public final long parameterCount() {
        return parameters().values().stream().mapToLong(ModelParameter::size).sum();
    }

    /** Number of scalar parameters that train. */
    public final long trainableParameterCount() {
        return trainableParameters().stream().mapToLong(ModelParameter::size).sum();
    }

    /** Learnable parameters per part, in part order. */
    public final Map<String, Long> partCounts() {
        return countByPart(false);
    }

    /** Trainable parameters per part, in part order. */
    public final Map<String, Long> trainablePartCounts() {
        return countByPart(true);
    }

    private Map<String, Long> countByPart(boolean trainableOnly) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (String part : parts()) {
            m.put(part, 0L);
        }
        tensors().forEach((n, p) -> {
            if (!p.isBuffer() && (!trainableOnly || p.isTrainable())) {
                String part = n.substring(0, Math.max(0, n.indexOf('.')));
                m.merge(part, p.size(), Long::sum);
            }
        });
        return m;
    }

    /** Marks each parameter trainable when {@code trainable} accepts its full name, frozen otherwise. */
    public final void setTrainable(Predicate<String> trainable) {
        tensors().forEach((n, p) -> p.setTrainable(trainable.test(n)));
    }

    /**
     * Allocates every parameter and buffer in {@code manager} (which the model then owns and closes)
     * and fills it from its initializer, with random values depending only on {@code seed} and the
     * tensor's name.
     *
     * @throws IllegalStateException if the model is already initialised
     */
    public final void initialize(NDManager manager, long seed) {
        if (this.manager != null) {
            throw new IllegalStateException("model " + variantId + " is already initialised");
        }
        this.manager = manager;
        this.seed = seed;
        initializeNew();
    }

    /**
     * {@link #initialize} with the values of {@code weights} where it has them (checked as
     * {@link #load} checks them, before anything is allocated) and initializers elsewhere: loads
     * pretrained weights without filling those tensors with random values first. On failure the
     * manager is closed.
     *
     * @throws WeightLoadException listing every problem, before anything is allocated
     */
    public final LoadReport initialize(NDManager manager, long seed, ParameterSet weights, LoadMode mode) {
        if (this.manager != null) {
            throw new IllegalStateException("model " + variantId + " is already initialised");
        }
        Plan plan;
        try {
            plan = plan(weights, mode);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
        this.manager = manager;
        this.seed = seed;
        Map<String, ModelParameter> model = tensors();
        for (Map.Entry<String, Tensor> e : plan.given().entrySet()) {
            ModelParameter p = model.get(e.getKey());
            p.setArray(ownedCopy(e.getValue().values(), p.shape()));
        }
        initializeNew();
        return plan.report();
    }

    /** Allocates the tensors added since {@link #initialize} (e.g. by an adapter type); a no-op before. */
    public final void initializeNew() {
        if (manager == null) {
            return;
        }
        for (Map.Entry<String, ModelParameter> e : tensors().entrySet()) {
            ModelParameter p = e.getValue();
            if (!p.isAllocated()) {
                float[] v = new float[Math.toIntExact(p.size())];
                p.initializer().fill(v, p.shape(), new SplittableRandom(seed * 0x9E3779B97F4A7C15L + e.getKey().hashCode()));
                p.setArray(ownedCopy(v, p.shape()));
            }
        }
    }

    /** An array in the model's manager whose memory belongs to the engine (not to a Java buffer). */
    private NDArray ownedCopy(float[] values, long[] shape) {
        try (NDArray staged = manager.create(values, new Shape(shape))) {
            NDArray copy = staged.duplicate();
            copy.attach(manager);
            return copy;
        }
    }

    public final boolean isInitialized() {
        return manager != null;
    }

    /**
     * The manager that holds the model's arrays; create per-batch sub-managers from it.
     *
     * @throws IllegalStateException before {@link #initialize}
     */
    public final NDManager manager() {
        if (manager == null) {
            throw new IllegalStateException("model " + variantId + " is not initialised");
        }
        return manager;
    }

    /** The values as a parameter set (copied out of native memory). */
    public final ParameterSet toParameterSet(ParameterScope scope) {
        ParameterSet.Builder b = ParameterSet.builder();
        tensors().forEach((n, p) -> {
            boolean take = switch (scope) {
                case ALL -> !p.isBuffer();
                case TRAINABLE -> p.isTrainable();
                case STATE -> true;
            };
            if (take) {
                b.add(Tensor.of(n, p.intShape(), p.array().toFloatArray()));
            }
        });
        return b.build();
    }

    /**
     * Replaces values by name. Names are first mapped with {@link #canonicalNames}; then every missing
     * (as {@code mode} forbids), unexpected and mis-shaped tensor is collected and reported together,
     * before anything changes.
     *
     * @throws WeightLoadException listing every problem
     */
    public final LoadReport load(ParameterSet values, LoadMode mode) {
        Plan plan = plan(values, mode);
        Map<String, ModelParameter> model = tensors();
        for (Map.Entry<String, Tensor> e : plan.given().entrySet()) {
            ModelParameter p = model.get(e.getKey());
            p.setArray(ownedCopy(e.getValue().values(), p.shape()));
        }
        return plan.report();
    }

    /**
     * What {@link #load} would do, without changing anything; works before {@link #initialize}.
     *
     * @throws WeightLoadException listing every problem
     */
    public final LoadReport check(ParameterSet values, LoadMode mode) {
        return plan(values, mode).report();
    }

    private record Plan(Map<String, Tensor> given, LoadReport report) {
    }

    private Plan plan(ParameterSet values, LoadMode mode) {
        Map<String, ModelParameter> model = tensors();
        Map<String, Tensor> given = new LinkedHashMap<>();
        List<String> ignored = new ArrayList<>();
        List<String> unexpected = new ArrayList<>();
        List<String> misshaped = new ArrayList<>();
        Set<String> seen = new java.util.HashSet<>();
        int renamed = 0;
        Map<String, String> canonical = canonicalNames(values.names());
        for (Tensor t : values.tensors()) {
            String name = canonical.get(t.name());
            if (name == null) {
                ignored.add(t.name());
                continue;
            }
            if (!name.equals(t.name())) {
                renamed++;
            }
            ModelParameter p = model.get(name);
            if (p != null) {
                seen.add(name);
            }
            if (p == null) {
                unexpected.add(t.name());
            } else if (!Arrays.equals(p.intShape(), t.shape())) {
                misshaped.add(t.name() + ": given " + t.shapeText() + ", model " + Arrays.toString(p.intShape()));
            } else if (given.putIfAbsent(name, t) != null) {
                ignored.add(t.name());
            }
        }
        List<String> missing = new ArrayList<>();
        List<String> kept = new ArrayList<>();
        model.forEach((n, p) -> {
            if (!seen.contains(n)) {
                boolean allowed = mode == LoadMode.SUBSET || mode == LoadMode.BASE && p.addedBy() != null;
                (allowed ? kept : missing).add(n);
            }
        });
        if (!missing.isEmpty() || !unexpected.isEmpty() || !misshaped.isEmpty()) {
            throw new WeightLoadException("tensors do not fit model " + variantId + describeAdapters(), missing,
                    unexpected, misshaped);
        }
        long count = given.values().stream().mapToLong(Tensor::size).sum();
        return new Plan(given, new LoadReport(given.size(), count, renamed, kept, ignored));
    }

    private String describeAdapters() {
        return adapters.isEmpty() ? "" : " with adapter " + String.join("+", adapters);
    }

    /** Names of the tensors this model's weight files hold (parameters and buffers). */
    public final Set<String> tensorNames() {
        return tensors().keySet();
    }

    /** Frees the model's native memory. */
    @Override
    public void close() {
        if (manager != null) {
            manager.close();
        }
    }
}
