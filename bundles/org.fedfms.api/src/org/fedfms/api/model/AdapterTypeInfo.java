package org.fedfms.api.model;

/**
 * An adapter type as faces list it.
 *
 * @param id e.g. {@code msa}
 * @param description what it inserts and what trains
 */
public record AdapterTypeInfo(String id, String description) {
}
