/** Core records of FedFMS: named parameter tensors, metrics and round results. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package org.fedfms.api;
