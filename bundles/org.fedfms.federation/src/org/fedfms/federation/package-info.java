/**
 * The federation engine as the faces (shell, workbench, REST server) use it: experiments from
 * {@link org.fedfms.federation.ExperimentSpec}s, the {@link org.fedfms.federation.FederationService}
 * that runs their rounds, the {@link org.fedfms.federation.FederatedSite} interface that in-process
 * and remote sites implement, and the {@link org.fedfms.federation.FederationEvent}s it publishes.
 */
package org.fedfms.federation;
