/**
 * Privacy accounting in plain Java: the Rényi differential privacy (RDP) of the sampled Gaussian
 * mechanism, its composition over steps and its conversion to an (ε, δ) guarantee.
 */
package org.fedfms.privacy;
