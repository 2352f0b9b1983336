package org.fedfms.privacy;

/**
 * An (ε, δ) differential privacy guarantee and the Rényi order that gave the smallest ε.
 *
 * @param epsilon ε, {@code +∞} when no order gives a finite bound
 * @param delta   δ the guarantee holds at
 * @param order   the Rényi order α of the bound, {@code NaN} when ε is infinite
 */
public record PrivacySpent(double epsilon, double delta, double order) {
}
