package org.fedfms.model.sam.internal;

import org.fedfms.model.nn.Activation;
import org.fedfms.model.nn.LayerNorm;
import org.fedfms.model.nn.MlpBlock;
import org.fedfms.model.nn.Module;
import org.fedfms.model.nn.Ops;
import org.fedfms.model.nn.ModuleList;

import ai.djl.ndarray.NDArray;

/**
 * SAM's two-way transformer: tokens attend to themselves, to the image and back (the image attends to
 * the tokens) in each block; a final token-to-image attention and LayerNorm (eps 1e-5) follow. Position
 * encodings are re-added to queries and keys at every attention.
 */
final class TwoWayTransformer extends Module {

    private final ModuleList<Block> layers;
    private final TokenAttention finalAttention;
    private final LayerNorm finalNorm;

    TwoWayTransformer(int depth, int dim, int heads, int mlpDim) {
        this.layers = child("layers", new ModuleList<>());
        for (int i = 0; i < depth; i++) {
            layers.add(new Block(dim, heads, mlpDim, i == 0));
        }
        this.finalAttention = child("final_attn_token_to_image", new TokenAttention(dim, heads, 2));
        this.finalNorm = child("norm_final_attn", new LayerNorm(dim, 1e-5f));
    }

    /** Updated tokens {@code [B, N, C]} and image {@code [B, HW, C]}. */
    record Output(NDArray tokens, NDArray image) {
    }

    /**
     * @param image {@code [B, C, H, W]}
     * @param imagePe {@code [1 or B, C, H, W]}
     * @param tokens {@code [B, N, C]}
     */
    Output forward(NDArray image, NDArray imagePe, NDArray tokens) {
        long[] s = image.getShape().getShape();
        NDArray keys = image.reshape(s[0], s[1], s[2] * s[3]).transpose(0, 2, 1);
        long[] p = imagePe.getShape().getShape();
        NDArray keyPe = imagePe.reshape(p[0], p[1], p[2] * p[3]).transpose(0, 2, 1);
        NDArray queries = tokens;
        for (Block layer : layers.members()) {
            NDArray[] qk = layer.forward(queries, keys, tokens, keyPe);
            queries = qk[0];
            keys = qk[1];
        }
        NDArray q = queries.add(tokens);
        NDArray k = keys.add(keyPe);
        queries = finalNorm.forward(queries.add(finalAttention.forward(q, k, keys)));
        return new Output(queries, keys);
    }

    /** One two-way attention block (the first skips adding position encodings to its self-attention). */
    static final class Block extends Module {
        private final boolean skipFirstPe;
        private final TokenAttention selfAttn;
        private final LayerNorm norm1;
        private final TokenAttention tokenToImage;
        private final LayerNorm norm2;
        private final MlpBlock mlp;
        private final LayerNorm norm3;
        private final LayerNorm norm4;
        private final TokenAttention imageToToken;

        Block(int dim, int heads, int mlpDim, boolean skipFirstPe) {
            this.skipFirstPe = skipFirstPe;
            this.selfAttn = child("self_attn", new TokenAttention(dim, heads, 1));
            this.norm1 = child("norm1", new LayerNorm(dim, 1e-5f));
            this.tokenToImage = child("cross_attn_token_to_image", new TokenAttention(dim, heads, 2));
            this.norm2 = child("norm2", new LayerNorm(dim, 1e-5f));
            this.mlp = child("mlp", new MlpBlock(dim, mlpDim, Activation.RELU));
            this.norm3 = child("norm3", new LayerNorm(dim, 1e-5f));
            this.norm4 = child("norm4", new LayerNorm(dim, 1e-5f));
            this.imageToToken = child("cross_attn_image_to_token", new TokenAttention(dim, heads, 2));
        }

        NDArray[] forward(NDArray queries, NDArray keys, NDArray queryPe, NDArray keyPe) {
            try (Ops.Scope scope = Ops.Scope.open(queries, keys, queryPe, keyPe)) {
                NDArray[] out = compute(queries, keys, queryPe, keyPe);
                return new NDArray[] {scope.keep(out[0]), scope.keep(out[1])};
            }
        }

        private NDArray[] compute(NDArray queries, NDArray keys, NDArray queryPe, NDArray keyPe) {
            if (skipFirstPe) {
                queries = selfAttn.forward(queries, queries, queries);
            } else {
                NDArray q = queries.add(queryPe);
                queries = queries.add(selfAttn.forward(q, q, queries));
            }
            queries = norm1.forward(queries);
            NDArray q = queries.add(queryPe);
            NDArray k = keys.add(keyPe);
            queries = norm2.forward(queries.add(tokenToImage.forward(q, k, keys)));
            queries = norm3.forward(queries.add(mlp.forward(queries)));
            q = queries.add(queryPe);
            k = keys.add(keyPe);
            keys = norm4.forward(keys.add(imageToToken.forward(k, q, queries)));
            return new NDArray[] {queries, keys};
        }
    }
}
