package org.fedfms.federation.internal;

import org.fedfms.api.ParameterSet;
import org.fedfms.api.SiteInfo;
import org.fedfms.federation.FederatedSite;

/** A site that adds a step to what the site it wraps does; it answers for that site and closes it. */
abstract class SiteDecorator implements FederatedSite {

    final FederatedSite inner;

    SiteDecorator(FederatedSite inner) {
        this.inner = inner;
    }

    @Override
    public SiteInfo info() {
        return inner.info();
    }

    @Override
    public ParameterSet initialParameters() throws Exception {
        return inner.initialParameters();
    }

    @Override
    public void close() {
        inner.close();
    }
}
