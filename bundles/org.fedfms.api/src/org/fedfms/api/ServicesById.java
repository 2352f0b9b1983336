package org.fedfms.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * The services of one kind present now, keyed by id: what a component's dynamic bind and unbind methods
 * feed, and what its other methods look services up in. The id is the service's {@value #ID_PROPERTY}
 * property; for a service registered without one, the service's own id (asked through {@code ownId}) the
 * first time a lookup needs it, never while binding. Of several services with one id, the one bound last
 * wins. Safe for concurrent use.
 *
 * @param <T> the service type
 */
public final class ServicesById<T> {

    /** The service property holding the id. */
    public static final String ID_PROPERTY = "id";

    private static final System.Logger LOG = System.getLogger(ServicesById.class.getName());

    private final Function<? super T, String> ownId;
    private final List<Entry<T>> entries = new CopyOnWriteArrayList<>();

    /** A tracker that asks a service without id property for {@code ownId}. */
    public ServicesById(Function<? super T, String> ownId) {
        this.ownId = Objects.requireNonNull(ownId, "ownId");
    }

    /** Records a bound service; for bind methods: does not call the service and never throws. */
    public void add(T service, Map<String, ?> properties) {
        if (service == null) {
            return;
        }
        Object id = properties == null ? null : properties.get(ID_PROPERTY);
        String given = id == null || id.toString().isBlank() ? null : id.toString();
        entries.add(new Entry<>(service, given));
    }

    /** Forgets an unbound service; for unbind methods: does not call the service and never throws. */
    public void remove(T service) {
        entries.removeIf(e -> e.service == service);
    }

    /** The service with that id present now, or {@code null}. */
    public T get(String id) {
        if (id == null) {
            return null;
        }
        for (int i = entries.size() - 1; i >= 0; i--) {
            Entry<T> e = entryAt(i);
            if (e != null && id.equals(id(e))) {
                return e.service;
            }
        }
        return null;
    }

    /** The service with that id present now, if any. */
    public Optional<T> find(String id) {
        return Optional.ofNullable(get(id));
    }

    /** Whether a service with that id is present now. */
    public boolean contains(String id) {
        return get(id) != null;
    }

    /** The services present now, one per id, sorted by id. */
    public Map<String, T> byId() {
        Map<String, T> map = new TreeMap<>();
        for (Entry<T> e : entries) {
            String id = id(e);
            if (id != null) {
                map.put(id, e.service);
            }
        }
        return map;
    }

    /** The ids present now, sorted. */
    public List<String> ids() {
        return List.copyOf(byId().keySet());
    }

    /** The services present now, one per id, sorted by id. */
    public List<T> services() {
        return new ArrayList<>(byId().values());
    }

    private Entry<T> entryAt(int i) {
        try {
            return entries.get(i);
        } catch (IndexOutOfBoundsException removedMeanwhile) {
            return null;
        }
    }

    /** The entry's id, asking the service once if it has no id property; {@code null} if it cannot say. */
    private String id(Entry<T> e) {
        String id = e.id;
        if (id != null || e.failed) {
            return id;
        }
        try {
            id = ownId.apply(e.service);
        } catch (RuntimeException x) {
            LOG.log(System.Logger.Level.WARNING, "a service without " + ID_PROPERTY + " property failed to say its "
                    + "id; it is not offered", x);
        }
        if (id == null || id.isBlank()) {
            e.failed = true;
            return null;
        }
        e.id = id;
        return id;
    }

    private static final class Entry<T> {
        final T service;
        volatile String id;
        volatile boolean failed;

        Entry(T service, String id) {
            this.service = service;
            this.id = id;
        }
    }
}
