/** File formats and file writing shared by several bundles: NumPy arrays, atomic whole-file writes, 16-bit floats. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package org.fedfms.api.io;
