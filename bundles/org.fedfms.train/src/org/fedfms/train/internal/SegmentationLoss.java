package org.fedfms.train.internal;

import org.fedfms.train.TrainerOptions;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;

/**
 * The training loss on mask logits {@code [B, K, L, L]} against 0/1 targets of the same shape, per
 * sample: BCE-with-logits with a positive-pixel weight (PyTorch's {@code BCEWithLogitsLoss(pos_weight)}),
 * soft Dice on the sigmoid (1 − (2·Σpy + 1)/(Σp + Σy + 1) per channel), or their sum.
 */
public final class SegmentationLoss {

    private static final float DICE_SMOOTHING = 1f;

    private final boolean bce;
    private final boolean dice;
    private final float posWeight;

    public SegmentationLoss(TrainerOptions options) {
        this.bce = options.trainingLoss().usesBce();
        this.dice = options.trainingLoss().usesDice();
        this.posWeight = (float) options.trainingLoss().posWeight();
    }

    /** The loss of each sample, {@code [B]}, in the manager of {@code logits}. */
    public NDArray perSample(NDArray logits, NDArray targets) {
        NDArray loss = null;
        if (bce) {
            loss = bce(logits, targets);
        }
        if (dice) {
            NDArray d = softDice(logits, targets);
            loss = loss == null ? d : loss.add(d);
        }
        return loss;
    }

    /**
     * Mean over the pixels and channels of each sample of (1 − y)·x + (1 + (w − 1)·y)·log(1 + e^(−x)).
     * Constants enter only through tensors the engine owns or through additions (see
     * {@link org.fedfms.model.nn.Ops#scale}): DJL's number overloads of mul, div, pow and maximum would
     * leave autograd a freed scalar.
     */
    private NDArray bce(NDArray x, NDArray y) {
        NDArray softplusNeg = x.abs().neg().exp().add(1f).log().add(Activation.relu(x.neg()));
        NDArray weight = y.mul(posWeight - 1f).add(1f);
        NDArray perPixel = y.neg().add(1f).mul(x).add(weight.mul(softplusNeg));
        return perPixel.reshape(new Shape(x.getShape().get(0), -1)).mean(new int[] {1});
    }

    /** Mean over the channels of each sample of the soft Dice loss. */
    private static NDArray softDice(NDArray x, NDArray y) {
        NDArray p = Activation.sigmoid(x);
        NDArray intersection = p.mul(y).sum(new int[] {2, 3});
        NDArray denominator = p.sum(new int[] {2, 3}).add(y.sum(new int[] {2, 3}));
        NDArray score = intersection.add(intersection).add(DICE_SMOOTHING).div(denominator.add(DICE_SMOOTHING));
        return score.neg().add(1f).mean(new int[] {1});
    }
}
