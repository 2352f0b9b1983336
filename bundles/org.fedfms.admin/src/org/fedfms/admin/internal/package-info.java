/**
 * {@code fedfms provision} (a deployment's configuration files with their tokens, token hashes and TLS key
 * pair) and {@code fedfms admin} (a client of the coordinator's admin API): plain Java programs that the
 * launcher runs on the bundle jars, without starting the framework.
 */
package org.fedfms.admin.internal;
