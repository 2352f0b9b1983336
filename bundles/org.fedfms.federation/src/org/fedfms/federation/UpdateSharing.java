package org.fedfms.federation;

import org.fedfms.api.LocalParameters;
import org.fedfms.api.settings.Setting;

/**
 * What of a site's model leaves the site and how: encoding, secure aggregation, client-side differential
 * privacy and the parameters that stay local. A group of {@link ExperimentSpec}'s settings, flattened into its
 * keys; {@code null} components are empty, every empty component is off.
 *
 * @param encoding how parameters travel per direction ({@code org.fedfms.wire.TransferEncoding}), e.g.
 *        {@code up=topk:0.01+int8,down=int8}; empty: fp32 both ways
 * @param secureAggregation secure aggregation of the updates ({@code org.fedfms.secagg}): empty or
 *        {@code off}, {@code on}, or {@code threshold=T,neighbours=K}
 * @param clientDp client-side differential privacy, {@code clip=C,noise=σ,delta=δ[,budget=ε]}
 *        ({@code org.fedfms.privacy.ClientDp}); empty: off
 * @param localParameters parameters that stay at each site ({@link LocalParameters}: glob patterns, comma
 *        separated, e.g. {@code *norm*} for FedBN); empty: every trainable parameter is shared
 */
public record UpdateSharing(
        @Setting(description = "how parameters travel: up=CODING,down=CODING with CODING fp32, fp16, bf16, int8, nf4, "
                + "fp4 (blockwise, e.g. int8/128) or topk:FRACTION[+CODING] (e.g. up=topk:0.01+int8,down=int8); "
                + "lossy uploads travel as deltas with error feedback; empty: fp32")
        String encoding,
        @Setting(description = "secure aggregation: the coordinator sees only masked updates and their weighted sum "
                + "(strategies that aggregate the weighted mean: fedavg, fedprox, fedadam, fedyogi, fedadagrad, "
                + "fedavgm); on, off, or threshold=T,neighbours=K (SecAgg+ pairing with K neighbours each); empty: off")
        String secureAggregation,
        @Setting(description = "client-side differential privacy: clip=C,noise=SIGMA,delta=DELTA[,budget=EPSILON]; "
                + "each site clips its update to C and adds noise SIGMA*C; epsilon at delta is reported; empty: off")
        String clientDp,
        @Setting(description = "parameters that stay at each site, neither sent nor aggregated: glob patterns on "
                + "parameter names, comma separated, e.g. *norm* (FedBN), *adapter* or mask_decoder.output_hypernetworks* "
                + "(FedPer-style); empty: all are shared")
        String localParameters) {

    /** fp32 transfers, no secure aggregation, no differential privacy, every parameter shared. */
    public static final UpdateSharing DEFAULTS = new UpdateSharing("", "", "", "");

    public UpdateSharing {
        encoding = encoding == null ? "" : encoding.strip();
        secureAggregation = secureAggregation == null ? "" : secureAggregation.strip();
        clientDp = clientDp == null ? "" : clientDp.strip();
        localParameters = localParameters == null ? "" : LocalParameters.parse(localParameters).toString();
    }
}
