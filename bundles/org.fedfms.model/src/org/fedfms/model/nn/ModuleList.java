package org.fedfms.model.nn;

import java.util.ArrayList;
import java.util.List;

/**
 * An ordered container of modules named by position ({@code 0}, {@code 1}, ...), or by explicit
 * positions where a PyTorch {@code Sequential} has parameter-free members (activations) in between.
 *
 * @param <M> the member type
 */
public final class ModuleList<M extends Module> extends Module {

    private final List<M> members = new ArrayList<>();
    private int lastIndex = -1;

    /** Appends {@code module} named by the next free position. */
    public M add(M module) {
        return add(lastIndex + 1, module);
    }

    /** Appends {@code module} under position {@code index} (greater than the last one). */
    public M add(int index, M module) {
        if (index <= lastIndex) {
            throw new IllegalArgumentException("position " + index + " is not after " + lastIndex);
        }
        child(Integer.toString(index), module);
        members.add(module);
        lastIndex = index;
        return module;
    }

    /** The i-th member (by order, not by name). */
    public M get(int i) {
        return members.get(i);
    }

    public int size() {
        return members.size();
    }

    /** The members in order. */
    public List<M> members() {
        return List.copyOf(members);
    }
}
