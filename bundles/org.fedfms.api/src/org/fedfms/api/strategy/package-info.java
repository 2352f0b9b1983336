/** Aggregation strategy contract (policy only): configure a fit round, aggregate fit and evaluation results. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package org.fedfms.api.strategy;
