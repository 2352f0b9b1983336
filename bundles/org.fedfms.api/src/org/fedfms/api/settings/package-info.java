/** Typed settings with defaults, ranges and descriptions, declared once as annotated records. */
package org.fedfms.api.settings;
