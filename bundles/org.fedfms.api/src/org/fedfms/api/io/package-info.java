/** File formats and file writing shared by several bundles: NumPy arrays, atomic whole-file writes, 16-bit floats. */
package org.fedfms.api.io;
