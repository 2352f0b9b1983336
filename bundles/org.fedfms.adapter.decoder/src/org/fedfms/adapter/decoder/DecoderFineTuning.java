package org.fedfms.adapter.decoder;

import java.util.Map;

import org.fedfms.model.AdapterType;
import org.fedfms.model.SegmentationModel;
import org.osgi.service.component.annotations.Component;

/** Decoder-only fine-tuning: the image and prompt encoders are frozen, only the mask decoder trains. */
@Component(property = AdapterType.ID_PROPERTY + "=" + DecoderFineTuning.ID)
public class DecoderFineTuning implements AdapterType {

    static final String ID = "decoder";
    static final String PART = "mask_decoder";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "decoder fine-tuning: only the mask decoder trains";
    }

    @Override
    public void apply(SegmentationModel model, Map<String, ?> settings) {
        settings().bind(settings);
        if (!model.parts().contains(PART)) {
            throw new IllegalArgumentException("model " + model.variantId() + " has no part '" + PART + "' (parts: "
                    + model.parts() + ")");
        }
        model.setTrainable(name -> name.startsWith(PART + "."));
        model.recordAdapter(ID);
    }
}
