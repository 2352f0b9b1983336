package org.fedfms.federation.internal;

import java.nio.file.Path;

import org.fedfms.api.Metrics;
import org.fedfms.api.ParameterSet;
import org.fedfms.api.data.DataSplit;
import org.fedfms.api.strategy.EvaluateResult;
import org.fedfms.api.strategy.FitInstructions;
import org.fedfms.api.strategy.FitResult;
import org.fedfms.api.train.TrainingMonitor;
import org.fedfms.federation.FederatedSite;
import org.fedfms.wire.DeltaCoding;
import org.fedfms.wire.ResidualFile;
import org.fedfms.wire.TransferEncoding;
import org.fedfms.wire.WireEncoder;
import org.fedfms.wire.WireMessage;

/**
 * A simulated site whose transfers are coded as an experiment's {@link TransferEncoding} says, with the
 * wire codec's own transforms: the site trains on the global it would have decoded (a lossy download is a
 * delta against the last global it holds), and the coordinator receives the update it would have decoded
 * (a lossy upload is a delta with error feedback, the residual kept here, and on disk beside the experiment's
 * checkpoints so that a resumed run goes on from it).
 */
final class EncodedSite extends SiteDecorator {

    private final TransferEncoding encoding;
    private ParameterSet held;
    private ParameterSet residual;
    private final String experiment;
    private final Path residuals;

    private EncodedSite(FederatedSite inner, TransferEncoding encoding, String experiment, Path residuals) {
        super(inner);
        this.encoding = encoding;
        this.experiment = experiment;
        this.residuals = residuals;
    }

    /**
     * {@code site} of {@code experiment} with its transfers coded by {@code encoding}, its residual kept in the
     * folder {@code residuals}; the site itself for fp32 both ways.
     */
    static FederatedSite wrap(FederatedSite site, TransferEncoding encoding, String experiment, Path residuals) {
        return encoding.equals(TransferEncoding.FP32) ? site : new EncodedSite(site, encoding, experiment, residuals);
    }

    /**
     * Bytes of {@code parameters} sent to {@code site}: the coded message for a coded site, else the
     * parameters' fp32 bytes.
     */
    static long downloadBytes(FederatedSite site, ParameterSet parameters) {
        return site.downloadBytes(parameters);
    }

    /** Bytes of {@code parameters} received from {@code site}, as {@link #downloadBytes}. */
    static long uploadBytes(FederatedSite site, ParameterSet parameters) {
        return site.uploadBytes(parameters);
    }

    @Override
    public long downloadBytes(ParameterSet parameters) {
        return WireEncoder.coded(encoding.down()).encodedSize(WireMessage.global("e", 0, "", parameters));
    }

    @Override
    public long uploadBytes(ParameterSet parameters) {
        return WireEncoder.coded(encoding.up()).encodedSize(WireMessage.update("e", 0, "", 0, Metrics.empty(),
                parameters));
    }

    @Override
    public FitResult fit(int round, ParameterSet global, FitInstructions instructions, TrainingMonitor monitor)
            throws Exception {
        ParameterSet start = download(global);
        FitResult r = inner.fit(round, start, instructions, monitor);
        if (r == null || r.parameters() == null) {
            return r;
        }
        ParameterSet received;
        if (encoding.deltaUp()) {
            DeltaCoding.Step step = DeltaCoding.step(r.parameters(), start, residual(round, r.parameters()),
                    t -> encoding.up());
            residual = step.residual();
            ResidualFile.write(residuals.resolve(ResidualFile.fileName(siteId())), experiment, siteId(), round,
                    residual);
            received = DeltaCoding.apply(start, step.received());
        } else {
            received = DeltaCoding.received(r.parameters(), t -> encoding.up());
        }
        return new FitResult(r.siteId(), received, r.sampleCount(), r.metrics());
    }

    @Override
    public EvaluateResult evaluate(int round, ParameterSet global, DataSplit split, TrainingMonitor monitor)
            throws Exception {
        return inner.evaluate(round, download(global), split, monitor);
    }

    /** The residual to add in {@code round}: the one kept, else the one on disk when it is of an earlier round. */
    private ParameterSet residual(int round, ParameterSet layout) throws java.io.IOException {
        if (residual == null) {
            ResidualFile.Saved saved = ResidualFile.read(residuals.resolve(ResidualFile.fileName(siteId())),
                    experiment, siteId());
            if (saved != null && saved.round() < round && saved.residual().layoutDifferences(layout).isEmpty()) {
                residual = saved.residual();
            }
        }
        return residual;
    }

    /** The global as the site decodes it; a lossy coding sends the difference to what the site holds. */
    private synchronized ParameterSet download(ParameterSet global) {
        if (encoding.deltaDown() && held != null && held.layoutDifferences(global).isEmpty()) {
            held = DeltaCoding.apply(held, DeltaCoding.received(DeltaCoding.difference(global, held),
                    t -> encoding.down()));
        } else {
            held = DeltaCoding.received(global, t -> encoding.down());
        }
        return held;
    }
}
