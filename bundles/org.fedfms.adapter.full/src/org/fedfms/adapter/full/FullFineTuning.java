package org.fedfms.adapter.full;

import java.util.Map;

import org.fedfms.model.AdapterType;
import org.fedfms.model.SegmentationModel;
import org.osgi.service.component.annotations.Component;

/** FedSAM's full fine-tuning: nothing is inserted and every parameter trains (and travels). */
@Component(property = AdapterType.ID_PROPERTY + "=" + FullFineTuning.ID)
public class FullFineTuning implements AdapterType {

    static final String ID = "full";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "full fine-tuning (FedSAM): every parameter trains";
    }

    @Override
    public void apply(SegmentationModel model, Map<String, ?> settings) {
        settings().bind(settings);
        model.setTrainable(name -> true);
        model.recordAdapter(ID);
    }
}
