/** Local training contract: a site trainer fits and evaluates trainable parameters on a site's data. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package org.fedfms.api.train;
