/**
 * What every dataset loader shares: partitioning into sites (natural, IID, Dirichlet non-IID),
 * validation/test splits by image or case, leave-one-site-out, label mapping, intensity windows,
 * the one resize/normalisation path to a model input, and dataset validation.
 */
package org.fedfms.data;
