/** Console-friendly data returned by the FedFMS Gogo commands. */
package org.fedfms.shell;
