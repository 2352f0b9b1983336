package org.fedfms.adapter.lora;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.fedfms.api.settings.DescribedService;
import org.fedfms.api.settings.Setting;
import org.fedfms.api.settings.SettingsSchema;
import org.fedfms.model.AdaptableBlock;
import org.fedfms.model.AdapterType;
import org.fedfms.model.SegmentationModel;
import org.fedfms.model.nn.Linear;
import org.osgi.service.component.annotations.Component;

/**
 * LoRA: a low-rank update of rank r on the attention projections of every encoder block ({@code qkv},
 * optionally {@code proj}); the updates and the mask decoder train, the rest is frozen.
 */
@Component(property = AdapterType.ID_PROPERTY + "=" + LoraAdapter.ID)
public class LoraAdapter extends DescribedService<LoraAdapter.Settings> implements AdapterType {

    static final String ID = "lora";

    /** The adapter's settings. */
    public record Settings(
            @Setting(description = "rank r of each update", min = 1, max = 1024)
            int rank,
            @Setting(description = "scale α of the updates (the update is multiplied by α/r)", min = 0)
            double alpha,
            @Setting(description = "attention projections to update, comma-separated", choices = {"qkv", "qkv,proj",
                "proj"})
            String targets) {
    }

    private static final SettingsSchema<Settings> SCHEMA =
            SettingsSchema.of("adapter " + ID, Settings.class, new Settings(4, 4.0, "qkv"));

    public LoraAdapter() {
        super(ID, "LoRA: rank-r updates of the encoder's attention projections; updates and mask decoder train", SCHEMA);
    }

    @Override
    public void apply(SegmentationModel model, Map<String, ?> settings) {
        Settings s = SCHEMA.bind(settings);
        List<String> targets = Arrays.stream(s.targets().split(",")).map(String::trim).toList();
        List<AdaptableBlock> blocks = model.adaptableBlocks();
        if (blocks.isEmpty()) {
            throw new IllegalArgumentException("model " + model.variantId() + " has no encoder blocks to adapt");
        }
        for (AdaptableBlock block : blocks) {
            Map<String, Linear> projections = block.attentionProjections();
            for (String target : targets) {
                Linear layer = projections.get(target);
                if (layer == null) {
                    throw new IllegalArgumentException(block.name() + " has no projection '" + target + "' (has "
                            + projections.keySet() + ")");
                }
                LowRankDelta delta = new LowRankDelta(layer.inFeatures(), layer.outFeatures(), s.rank(), s.alpha());
                delta.markAddedBy(ID);
                layer.setDelta("", delta);
            }
        }
        model.completeAdapter(ID, "mask_decoder");
    }
}
