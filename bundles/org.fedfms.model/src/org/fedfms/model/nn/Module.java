package org.fedfms.model.nn;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiConsumer;

/**
 * A node of a model: its own parameters and buffers, and named child modules. Full names join the
 * path with dots, own tensors before children, as PyTorch's {@code state_dict} does; a child added
 * under the empty name contributes its tensors to this module's namespace.
 */
public abstract class Module {

    private final Map<String, ModelParameter> tensors = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();

    /** Declares a learnable parameter of this module. */
    protected final ModelParameter parameter(String name, Initializer initializer, long... shape) {
        return register(name, new ModelParameter(shape, initializer, false));
    }

    /** Declares a buffer: stored and loaded with the model, never trained. */
    protected final ModelParameter buffer(String name, Initializer initializer, long... shape) {
        return register(name, new ModelParameter(shape, initializer, true));
    }

    private ModelParameter register(String name, ModelParameter p) {
        if (name.isEmpty() || name.contains(".") || tensors.containsKey(name) || children.containsKey(name)) {
            throw new IllegalArgumentException("bad or duplicate tensor name '" + name + "' in " + getClass().getSimpleName());
        }
        tensors.put(name, p);
        return p;
    }

    /** Adds a child module under {@code name} (may be empty: see the class comment). */
    protected final <M extends Module> M child(String name, M module) {
        Objects.requireNonNull(module, "module");
        if (name.contains(".") || children.containsKey(name) || tensors.containsKey(name)) {
            throw new IllegalArgumentException("bad or duplicate child name '" + name + "' in " + getClass().getSimpleName());
        }
        children.put(name, module);
        return module;
    }

    /** Removes a child module; returns it, or {@code null} if there was none. */
    protected final Module removeChild(String name) {
        return children.remove(name);
    }

    /**
     * Records {@code adapterId} as the origin of every tensor in this subtree: what an adapter type
     * inserts is told apart from the base model (pretrained weights need not contain it).
     */
    public final void markAddedBy(String adapterId) {
        visit("", (n, p) -> p.setAddedBy(adapterId));
    }

    /** The child modules in order. */
    public final Map<String, Module> children() {
        return Collections.unmodifiableMap(children);
    }

    /** This module's own tensors (parameters and buffers) by local name. */
    public final Map<String, ModelParameter> ownTensors() {
        return Collections.unmodifiableMap(tensors);
    }

    /** Visits every tensor of this subtree with its full name under {@code prefix}. */
    public final void visit(String prefix, BiConsumer<String, ModelParameter> visitor) {
        for (Map.Entry<String, ModelParameter> e : tensors.entrySet()) {
            visitor.accept(join(prefix, e.getKey()), e.getValue());
        }
        for (Map.Entry<String, Module> e : children.entrySet()) {
            e.getValue().visit(join(prefix, e.getKey()), visitor);
        }
    }

    /** Every tensor of this subtree by full name under {@code prefix}, in state-dict order. */
    public final Map<String, ModelParameter> namedTensors(String prefix) {
        Map<String, ModelParameter> m = new LinkedHashMap<>();
        visit(prefix, (n, p) -> {
            p.setName(n);
            m.put(n, p);
        });
        return m;
    }

    static String join(String prefix, String name) {
        if (prefix.isEmpty()) {
            return name;
        }
        return name.isEmpty() ? prefix : prefix + "." + name;
    }
}
