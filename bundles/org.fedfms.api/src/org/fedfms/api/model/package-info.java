/** Descriptors of model variants and adapter types, independent of any deep learning engine. */
package org.fedfms.api.model;
