/** Dataset loader contract: federated datasets of image + mask samples, split per site. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package org.fedfms.api.data;
