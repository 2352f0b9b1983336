/**
 * Segmentation models on DJL: model variants and adapter types as services, models whose parameters
 * carry stable names and convert to and from {@link org.fedfms.api.ParameterSet}, freezing, and an
 * optimizer step over the trainable parameters.
 */
package org.fedfms.model;
