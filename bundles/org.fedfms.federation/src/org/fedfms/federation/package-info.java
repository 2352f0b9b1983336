/**
 * The federation engine as the faces (shell, workbench, REST server) use it: experiments from
 * {@link org.fedfms.federation.ExperimentSpec}s, the {@link org.fedfms.federation.FederationService}
 * that runs their rounds, the {@link org.fedfms.federation.FederatedSite} interface that in-process
 * and remote sites implement, and the {@link org.fedfms.federation.FederationEvent}s it publishes.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package org.fedfms.federation;
