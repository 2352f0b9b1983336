package org.fedfms.model;

import java.util.Map;

import org.fedfms.model.nn.Linear;
import org.fedfms.model.nn.UnaryModule;

/**
 * A transformer block of a model's image encoder that adapter types can extend without the model
 * knowing them: modules inserted after the attention, in parallel to the MLP, or as deltas of the
 * attention's linear projections. The block is
 * {@code x = x + post(attn(norm1(x))); x = x + mlp(norm2(x)) + scale * parallel(norm2(x))}.
 */
public interface AdaptableBlock {

    /** The block's full name, e.g. {@code image_encoder.blocks.3}. */
    String name();

    /** The token dimension D. */
    int dim();

    /**
     * Applies {@code module} to the attention output, before the block's residual sum (a module with
     * a skip connection includes it itself). Its tensors are named {@code name()+"."+childName+...}.
     */
    void insertAfterAttention(String childName, UnaryModule module);

    /** Adds {@code scale * module(norm2(x))} next to the MLP. */
    void insertParallelToMlp(String childName, UnaryModule module, float scale);

    /** The attention's linear projections by local name ({@code qkv}, {@code proj}), for deltas. */
    Map<String, Linear> attentionProjections();
}
