/**
 * Secure aggregation (SecAgg+ style): sites mask their weighted updates so that the coordinator learns only their
 * sum. The protocol's four rounds are pure state objects ({@link org.fedfms.secagg.SecAggSite} at a site,
 * {@link org.fedfms.secagg.SecAggCoordinator} at the coordinator) shared by the in-process simulation and the
 * deployment; only JDK cryptography is used.
 */
package org.fedfms.secagg;
