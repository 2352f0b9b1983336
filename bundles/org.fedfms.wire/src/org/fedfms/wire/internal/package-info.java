/** Implementation of the wire codec: checksummed buffered streams and half-precision conversions. */
package org.fedfms.wire.internal;
