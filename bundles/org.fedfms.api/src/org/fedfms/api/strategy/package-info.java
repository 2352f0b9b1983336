/** Aggregation strategy contract (policy only): configure a fit round, aggregate fit and evaluation results. */
package org.fedfms.api.strategy;
