package org.fedfms.model.sam;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Tensor names of SAM checkpoints: the official names (those of {@code segment_anything}'s
 * {@code state_dict}) and the names of the Hugging Face {@code facebook/sam-vit-*} checkpoints
 * ({@code transformers}' {@code SamModel}), which rename modules but hold the same tensors.
 */
public final class SamCheckpointNames {

    /** Names some checkpoints hold that are preprocessing constants, not model tensors. */
    public static final Set<String> IGNORED = Set.of("pixel_mean", "pixel_std");

    /** Official name to Hugging Face name: substring replacements applied in this order. */
    private static final List<String[]> RENAMES = List.of(
            new String[] {"iou_prediction_head.layers.0", "iou_prediction_head.proj_in"},
            new String[] {"iou_prediction_head.layers.1", "iou_prediction_head.layers.0"},
            new String[] {"iou_prediction_head.layers.2", "iou_prediction_head.proj_out"},
            new String[] {"mask_decoder.output_upscaling.0", "mask_decoder.upscale_conv1"},
            new String[] {"mask_decoder.output_upscaling.1", "mask_decoder.upscale_layer_norm"},
            new String[] {"mask_decoder.output_upscaling.3", "mask_decoder.upscale_conv2"},
            new String[] {"mask_downscaling.0", "mask_embed.conv1"},
            new String[] {"mask_downscaling.1", "mask_embed.layer_norm1"},
            new String[] {"mask_downscaling.3", "mask_embed.conv2"},
            new String[] {"mask_downscaling.4", "mask_embed.layer_norm2"},
            new String[] {"mask_downscaling.6", "mask_embed.conv3"},
            new String[] {"point_embeddings", "point_embed"},
            new String[] {"pe_layer.positional_encoding_gaussian_matrix", "shared_embedding.positional_embedding"},
            new String[] {"image_encoder", "vision_encoder"},
            new String[] {"neck.0", "neck.conv1"},
            new String[] {"neck.1", "neck.layer_norm1"},
            new String[] {"neck.2", "neck.conv2"},
            new String[] {"neck.3", "neck.layer_norm2"},
            new String[] {"patch_embed.proj", "patch_embed.projection"},
            new String[] {".norm", ".layer_norm"},
            new String[] {"blocks", "layers"});

    private static final Pattern HYPERNETWORK_LAYER = Pattern.compile(".*output_hypernetworks_mlps\\.\\d+\\.layers\\.(\\d+)\\..*");

    /** The Hugging Face checkpoint holds the Fourier matrix under this name too (shared with the prompt encoder). */
    public static final String HF_SHARED_GAUSSIAN = "shared_image_embedding.positional_embedding";

    private SamCheckpointNames() {
    }

    /** The Hugging Face name of an official tensor name. */
    public static String huggingFaceName(String official) {
        String key = official;
        for (String[] r : RENAMES) {
            if (key.contains(r[0])) {
                key = key.replace(r[0], r[1]);
            }
        }
        Matcher m = HYPERNETWORK_LAYER.matcher(key);
        if (m.matches()) {
            int layer = Integer.parseInt(m.group(1));
            key = switch (layer) {
                case 0 -> key.replace("layers.0", "proj_in");
                case 1 -> key.replace("layers.1", "layers.0");
                case 2 -> key.replace("layers.2", "proj_out");
                default -> key;
            };
        }
        return key;
    }

    /** Hugging Face name to official name, for the given official names. */
    public static Map<String, String> officialByHuggingFace(Collection<String> officialNames) {
        Map<String, String> m = new HashMap<>();
        for (String n : officialNames) {
            String hf = huggingFaceName(n);
            if (!hf.equals(n)) {
                m.put(hf, n);
            }
            if (n.equals("prompt_encoder.pe_layer.positional_encoding_gaussian_matrix")) {
                m.put(HF_SHARED_GAUSSIAN, n);
            }
        }
        return m;
    }
}
