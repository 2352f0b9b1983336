/**
 * Credentials and TLS shared by the coordinator, the site agent and the admin client: salted token hashes
 * ({@link org.fedfms.security.TokenHash}) and random secrets, owner-only files, the coordinator's self-signed
 * keystore made with the JDK's keytool, certificate fingerprints and the pinned or truststore trust of a client
 * ({@link org.fedfms.security.PinnedTrust}). Pure JDK: no Jetty, no OSGi.
 */
package org.fedfms.security;
