/**
 * Privacy accounting in plain Java: the Rényi differential privacy (RDP) of the sampled Gaussian
 * mechanism, its composition over steps and its conversion to an (ε, δ) guarantee; and client-side DP
 * of federated updates ({@link org.fedfms.privacy.ClientDp}, {@link org.fedfms.privacy.ClientDpMechanism}).
 */
package org.fedfms.privacy;
