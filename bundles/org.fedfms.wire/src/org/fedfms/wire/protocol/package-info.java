/**
 * The JSON side of the site protocol, shared by the coordinator and the site agent: one record per message
 * ({@link org.fedfms.wire.protocol.JoinRequest}, {@link org.fedfms.wire.protocol.TaskMessage}, ...) and
 * {@link org.fedfms.wire.protocol.StrictJson}, which reads them strictly (no single quotes, no duplicate keys,
 * no unknown keys, every required field present and of its kind) and names the field that is wrong.
 */
package org.fedfms.wire.protocol;
