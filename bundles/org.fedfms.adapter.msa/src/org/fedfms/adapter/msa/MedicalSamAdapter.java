package org.fedfms.adapter.msa;

import java.util.List;
import java.util.Map;

import org.fedfms.api.settings.DescribedService;
import org.fedfms.api.settings.Setting;
import org.fedfms.api.settings.SettingsSchema;
import org.fedfms.model.AdaptableBlock;
import org.fedfms.model.AdapterType;
import org.fedfms.model.SegmentationModel;
import org.osgi.service.component.annotations.Component;

/**
 * Medical SAM Adapter (FedMSA): in every encoder block a {@code Space_Adapter} after the attention (with
 * its own skip connection, before the block's residual) and an {@code MLP_Adapter} next to the MLP,
 * scaled: {@code x + mlp(n(x)) + scale·adapter(n(x))}. The adapters and the mask decoder train; the rest
 * is frozen.
 */
@Component(property = AdapterType.ID_PROPERTY + "=" + MedicalSamAdapter.ID)
public class MedicalSamAdapter extends DescribedService<MedicalSamAdapter.Settings> implements AdapterType {

    static final String ID = "msa";

    /** The adapter's settings. */
    public record Settings(
            @Setting(description = "bottleneck width as a fraction of the token dimension", min = 0.01, max = 4)
            double ratio,
            @Setting(description = "factor of the MLP adapter's output", min = 0, max = 10)
            double mlpScale) {
    }

    private static final SettingsSchema<Settings> SCHEMA =
            SettingsSchema.of("adapter " + ID, Settings.class, new Settings(0.25, 0.5));

    public MedicalSamAdapter() {
        super(ID, "Medical SAM Adapter (FedMSA): space and MLP adapters in every encoder block; adapters and mask "
                + "decoder train", SCHEMA);
    }

    @Override
    public void apply(SegmentationModel model, Map<String, ?> settings) {
        Settings s = SCHEMA.bind(settings);
        List<AdaptableBlock> blocks = model.adaptableBlocks();
        if (blocks.isEmpty()) {
            throw new IllegalArgumentException("model " + model.variantId() + " has no encoder blocks to adapt");
        }
        for (AdaptableBlock block : blocks) {
            MsaAdapterModule space = new MsaAdapterModule(block.dim(), s.ratio(), true);
            space.markAddedBy(ID);
            block.insertAfterAttention("Space_Adapter", space);
            MsaAdapterModule mlp = new MsaAdapterModule(block.dim(), s.ratio(), false);
            mlp.markAddedBy(ID);
            block.insertParallelToMlp("MLP_Adapter", mlp, (float) s.mlpScale());
        }
        model.completeAdapter(ID, "mask_decoder");
    }
}
