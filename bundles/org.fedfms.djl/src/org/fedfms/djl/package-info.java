/** DJL's PyTorch engine inside OSGi: starting it once, offline, and choosing devices. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package org.fedfms.djl;
