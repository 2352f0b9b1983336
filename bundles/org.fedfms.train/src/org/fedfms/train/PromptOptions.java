package org.fedfms.train;

import org.fedfms.api.settings.Setting;

/**
 * Which prompts the mask decoder gets and how they are jittered in training: a group of {@link TrainerOptions},
 * flattened into its option names ({@code prompt=box}, {@code promptJitter=0.05}).
 *
 * @param prompt prompt mode
 * @param promptJitter box jitter as a share of the box side
 */
public record PromptOptions(
        @Setting(description = "prompts: none (prompt-free decoding, the reference), box or point, derived from "
                + "the ground truth (jittered in training)", choices = {"none", "box", "point"})
        String prompt,
        @Setting(description = "box jitter in training: each coordinate moves by Gaussian noise of this share of "
                + "the box side (at most 20 px at 1024 px input), as SAM was trained", min = 0, max = 1)
        double promptJitter) {

    /** The reference's prompt-free decoding (a box jitter of 0.1 for the prompt modes). */
    public static final PromptOptions DEFAULTS = new PromptOptions("none", 0.1);
}
