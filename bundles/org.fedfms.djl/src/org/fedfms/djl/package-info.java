/** DJL's PyTorch engine inside OSGi: starting it once, offline, and choosing devices. */
package org.fedfms.djl;
