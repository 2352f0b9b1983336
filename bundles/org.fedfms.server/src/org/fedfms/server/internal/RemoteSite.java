package org.fedfms.server.internal;

import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.fedfms.api.ParameterSet;
import org.fedfms.api.SiteInfo;
import org.fedfms.api.data.DataSplit;
import org.fedfms.api.strategy.EvaluateResult;
import org.fedfms.api.strategy.FitInstructions;
import org.fedfms.api.strategy.FitResult;
import org.fedfms.api.train.TrainingMonitor;
import org.fedfms.federation.ExperimentSpec;
import org.fedfms.federation.FederatedSite;
import org.fedfms.federation.SecureAggregationSite;
import org.fedfms.secagg.KeyAdvertisement;
import org.fedfms.secagg.Roster;
import org.fedfms.secagg.RoutedShares;
import org.fedfms.secagg.SealedShare;
import org.fedfms.secagg.SecAggCodec;
import org.fedfms.secagg.ShareReveal;
import org.fedfms.secagg.SharedKeys;
import org.fedfms.secagg.UnmaskRequest;
import org.fedfms.wire.TransferEncoding;
import org.fedfms.wire.WireEncoder;
import org.fedfms.wire.WireMessage;

/**
 * A joined site agent as the round loop sees it, for one experiment: each call queues a task for the
 * site and waits for its answer until just before the round deadline, or until the round is cancelled.
 */
final class RemoteSite implements FederatedSite, SecureAggregationSite {

    /** How much earlier than the round deadline a call gives up, so the site is free for the next round. */
    private static final long MARGIN_MILLIS = 250;
    /** Encodes the coordinator's secure-aggregation messages (bounds apply to reading only). */
    private static final SecAggCodec CODEC = new SecAggCodec(2, 1);

    private final SiteConnection connection;
    private volatile ExperimentSpec spec;
    private volatile int failedFitRound = -1;
    private volatile FitResult lastFit;

    RemoteSite(SiteConnection connection, ExperimentSpec spec) {
        this.connection = connection;
        this.spec = spec;
    }

    void spec(ExperimentSpec current) {
        this.spec = current;
    }

    @Override
    public SiteInfo info() {
        return connection.info();
    }

    @Override
    public ParameterSet initialParameters() throws Exception {
        FitResult r = (FitResult) await(SiteTask.of(SiteTask.Kind.INITIAL, connection.siteId(), spec, 0, null,
                FitInstructions.none(), null), null);
        return r.parameters();
    }

    @Override
    public FitResult fit(int round, ParameterSet global, FitInstructions instructions, TrainingMonitor monitor)
            throws Exception {
        try {
            FitResult r = (FitResult) await(SiteTask.of(SiteTask.Kind.FIT, connection.siteId(), spec, round, global,
                    instructions, null), monitor);
            failedFitRound = -1;
            lastFit = r;
            return r;
        } catch (Exception e) {
            failedFitRound = round;
            throw e;
        }
    }

    @Override
    public EvaluateResult evaluate(int round, ParameterSet global, DataSplit split, TrainingMonitor monitor)
            throws Exception {
        if (failedFitRound == round) {
            throw new IllegalStateException("site '" + connection.siteId() + "' failed its fit of round " + round
                    + ": its evaluation of that round does not count");
        }
        return (EvaluateResult) await(SiteTask.of(SiteTask.Kind.EVALUATE, connection.siteId(), spec, round, global,
                FitInstructions.none(), split), monitor);
    }

    @Override
    public KeyAdvertisement advertiseKeys(int round) throws Exception {
        return (KeyAdvertisement) secure(SiteTask.Kind.SECAGG_KEYS, round, null, FitInstructions.none(), new byte[0],
                null);
    }

    @Override
    public SharedKeys shareKeys(int round, Roster roster) throws Exception {
        return (SharedKeys) secure(SiteTask.Kind.SECAGG_SHARES, round, null, FitInstructions.none(),
                CODEC.encode(roster), null);
    }

    @Override
    public MaskedFit fitMasked(int round, ParameterSet global, FitInstructions instructions, List<String> sharers,
            List<SealedShare> sealedForSite, TrainingMonitor monitor) throws Exception {
        try {
            MaskedFit r = (MaskedFit) secure(SiteTask.Kind.SECAGG_FIT, round, global, instructions,
                    CODEC.encode(new RoutedShares(sharers, sealedForSite)), monitor);
            failedFitRound = -1;
            return r;
        } catch (Exception e) {
            failedFitRound = round;
            throw e;
        }
    }

    @Override
    public ShareReveal reveal(int round, UnmaskRequest request) throws Exception {
        return (ShareReveal) secure(SiteTask.Kind.SECAGG_REVEAL, round, null, FitInstructions.none(),
                CODEC.encode(request), null);
    }

    /** A secure-aggregation phase as a task whose instructions carry the coordinator's message. */
    private Object secure(SiteTask.Kind kind, int round, ParameterSet global, FitInstructions instructions,
            byte[] payload, TrainingMonitor monitor) throws Exception {
        return await(SiteTask.of(kind, connection.siteId(), spec, round, global,
                SecureSiteTasks.with(instructions, payload), null), monitor);
    }

    /** The size of the coded download message when the experiment codes its transfers, else the fp32 values. */
    @Override
    public long downloadBytes(ParameterSet parameters) {
        TransferEncoding encoding = TransferEncoding.parse(spec.sharing().encoding());
        return encoding.equals(TransferEncoding.FP32) ? parameters.sizeInBytes() : WireEncoder.coded(encoding.down())
                .encodedSize(WireMessage.global(spec.name(), 0, "", parameters));
    }

    /** The size of the coded update message the site sent when the experiment codes its transfers. */
    @Override
    public long uploadBytes(ParameterSet parameters) {
        TransferEncoding encoding = TransferEncoding.parse(spec.sharing().encoding());
        FitResult r = lastFit;
        if (encoding.equals(TransferEncoding.FP32) || r == null || r.parameters() != parameters) {
            return parameters.sizeInBytes();
        }
        return WireEncoder.coded(encoding.up()).encodedSize(WireMessage.update(spec.name(), 0, connection.siteId(),
                r.sampleCount(), r.metrics(), parameters));
    }

    private Object await(SiteTask task, TrainingMonitor monitor) throws Exception {
        long deadline = System.currentTimeMillis() + (long) (spec.participation().roundDeadlineSeconds() * 1000) - MARGIN_MILLIS;
        connection.submit(task);
        connection.watch(task, monitor);
        try {
            while (true) {
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) {
                    throw new TimeoutException("site '" + connection.siteId() + "' did not answer " + task.describe()
                            + " before the round deadline");
                }
                if (monitor != null && monitor.isCancelled()) {
                    throw new IllegalStateException(task.describe() + " was cancelled");
                }
                try {
                    return task.result().get(Math.min(left, 200), TimeUnit.MILLISECONDS);
                } catch (TimeoutException again) {
                    // keep waiting
                } catch (ExecutionException x) {
                    Throwable cause = x.getCause();
                    throw cause instanceof Exception ex ? ex : x;
                }
            }
        } finally {
            task.result().cancel(false);
            connection.forget(task);
        }
    }

    @Override
    public void close() {
        // the coordinator owns the connection
    }
}
