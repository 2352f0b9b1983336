/** Core records of FedFMS: named parameter tensors, metrics and round results. */
package org.fedfms.api;
