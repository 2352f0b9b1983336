/** Console-friendly data returned by the FedFMS Gogo commands. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package org.fedfms.shell;
