package org.fedfms.data;

import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.fedfms.api.data.DatasetException;
import org.fedfms.api.data.DatasetLoader;
import org.fedfms.api.settings.DescribedService;
import org.fedfms.api.settings.SettingsSchema;

/**
 * What every dataset loader does the same way before it reads anything: it states its id, description and
 * settings ({@link DescribedService}), binds the settings it is given and turns a bad value into a
 * {@link DatasetException} that names the loader. A loader extends this (a loader of paired image/label
 * files extends {@link PairedFilesLoader}), implements {@link DatasetLoader} (so that its component provides
 * that service) and states only what is its own.
 *
 * @param <S> the loader's settings record
 */
public abstract class DescribedLoader<S extends Record> extends DescribedService<S> implements DatasetLoader {

    protected DescribedLoader(String id, String description, SettingsSchema<S> schema) {
        super(id, description, schema);
    }

    /** What messages name the loader by, e.g. {@code dataset npy}. */
    protected final String subject() {
        return "dataset " + id();
    }

    /**
     * The settings record of {@code settings}.
     *
     * @throws DatasetException ("bad settings") naming every value that is wrong
     */
    protected final S bind(Map<String, ?> settings) throws DatasetException {
        return checked(() -> settings().bind(settings));
    }

    /**
     * What {@code parse} makes of the settings (a label mapping, a case pattern, a window check).
     *
     * @throws DatasetException ("bad settings") if {@code parse} throws an {@link IllegalArgumentException}
     */
    protected final <T> T checked(Supplier<T> parse) throws DatasetException {
        try {
            return parse.get();
        } catch (IllegalArgumentException e) {
            throw new DatasetException(subject() + ": bad settings", List.of(e.getMessage()));
        }
    }

    /**
     * Runs {@code check} on the settings (e.g. that a window's bounds make a window).
     *
     * @throws DatasetException ("bad settings") if {@code check} throws an {@link IllegalArgumentException}
     */
    protected final void check(Runnable check) throws DatasetException {
        checked(() -> {
            check.run();
            return null;
        });
    }
}
