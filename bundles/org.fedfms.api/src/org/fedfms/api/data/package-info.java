/** Dataset loader contract: federated datasets of image + mask samples, split per site. */
package org.fedfms.api.data;
