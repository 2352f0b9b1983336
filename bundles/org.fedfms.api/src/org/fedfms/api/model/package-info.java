/** Descriptors of model variants and adapter types, independent of any deep learning engine. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package org.fedfms.api.model;
