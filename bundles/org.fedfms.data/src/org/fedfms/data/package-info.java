/**
 * What every dataset loader shares: partitioning into sites (natural, IID, Dirichlet non-IID),
 * validation/test splits by image or case, leave-one-site-out, label mapping, intensity windows,
 * the one resize/normalisation path to a model input, and dataset validation.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package org.fedfms.data;
