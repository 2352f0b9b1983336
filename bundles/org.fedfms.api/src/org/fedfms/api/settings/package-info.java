/** Typed settings with defaults, ranges and descriptions, declared once as annotated records. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package org.fedfms.api.settings;
