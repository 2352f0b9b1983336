/** Local training contract: a site trainer fits and evaluates trainable parameters on a site's data. */
package org.fedfms.api.train;
