package org.fedfms.data;

import java.io.IOException;

import org.fedfms.api.data.LabeledImage;
import org.fedfms.api.data.Sample;

/**
 * A sample moved into a pooled (IID or Dirichlet) partition: its id and case are prefixed with the
 * site it came from, so that equal names of different sites stay apart.
 *
 * @param sourceSite the natural site the sample came from
 * @param source the sample itself
 */
public record PooledSample(String sourceSite, Sample source) implements Sample {

    @Override
    public String id() {
        return sourceSite + "/" + source.id();
    }

    @Override
    public String caseId() {
        return sourceSite + "/" + source.caseId();
    }

    @Override
    public LabeledImage load() throws IOException {
        return source.load();
    }
}
