package org.fedfms.api.settings;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The typed settings of a strategy, loader or experiment, declared once as a record whose components
 * carry {@link Setting}, with a record instance holding the defaults.
 *
 * <p>Binds maps of text or typed values (shell {@code k=v} options, form fields, parsed JSON) into
 * a validated record, and turns a record back into a map. A component whose type is itself a record
 * is a group shared by several settings records (e.g. how a dataset is split): its components are
 * settings of their own, flattened in its place. A group component carries no {@link Setting} (nothing
 * would read it): its record documents it, its components carry theirs.
 *
 * @param <R> the settings record type
 */
public final class SettingsSchema<R extends Record> {

    private final String subject;
    private final Class<R> type;
    private final R defaults;
    private final List<SettingDescriptor> descriptors;
    private final Constructor<R> constructor;

    private SettingsSchema(String subject, Class<R> type, R defaults) {
        this.subject = subject;
        this.type = type;
        this.defaults = defaults;
        this.constructor = canonical(type);
        List<SettingDescriptor> ds = new ArrayList<>();
        describe(type, defaults, ds);
        this.descriptors = Collections.unmodifiableList(ds);
        List<String> problems = validate(defaults);
        if (!problems.isEmpty()) {
            throw new SettingsException(subject + " defaults", problems);
        }
    }

    /** A component whose type is a record is a group of settings: its own components are flattened in its place. */
    private static boolean nested(RecordComponent c) {
        return c.getType().isRecord();
    }

    private static <T> Constructor<T> canonical(Class<T> type) {
        Class<?>[] types = Arrays.stream(type.getRecordComponents()).map(RecordComponent::getType)
                .toArray(Class<?>[]::new);
        try {
            Constructor<T> c = type.getDeclaredConstructor(types);
            c.setAccessible(true);
            return c;
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException("no canonical constructor in " + type.getName(), e);
        }
    }

    private static void describe(Class<?> type, Record defaults, List<SettingDescriptor> ds) {
        for (RecordComponent c : type.getRecordComponents()) {
            if (nested(c)) {
                describe(c.getType(), (Record) value(c, defaults), ds);
                continue;
            }
            Setting s = c.getAnnotation(Setting.class);
            if (s == null) {
                throw new IllegalArgumentException(type.getName() + "." + c.getName() + " lacks @Setting");
            }
            Class<?> boxed = box(c.getType());
            List<String> choices = new ArrayList<>(Arrays.asList(s.choices()));
            if (boxed.isEnum() && choices.isEmpty()) {
                for (Object constant : boxed.getEnumConstants()) {
                    choices.add(((Enum<?>) constant).name().toLowerCase(Locale.ROOT));
                }
            }
            Object def = value(c, defaults);
            if (boxed.isEnum() && def != null) {
                def = ((Enum<?>) def).name().toLowerCase(Locale.ROOT);
            }
            ds.add(new SettingDescriptor(c.getName(), s.label().isEmpty() ? c.getName() : s.label(), s.description(),
                    boxed, def, s.min(), s.max(), choices, s.minExclusive(), s.maxExclusive()));
        }
    }

    /** The leaf values of {@code r} in the order of {@link #descriptors()}. */
    private static void leaves(Record r, List<Object> out) {
        for (RecordComponent c : r.getClass().getRecordComponents()) {
            Object v = value(c, r);
            if (nested(c)) {
                leaves((Record) v, out);
            } else {
                out.add(v);
            }
        }
    }

    /**
     * The schema of a settings record.
     *
     * @param subject what the settings belong to, for error messages (e.g. {@code strategy fedprox})
     * @param type the record class; every component must carry {@link Setting}
     * @param defaults the default values
     */
    public static <R extends Record> SettingsSchema<R> of(String subject, Class<R> type, R defaults) {
        return new SettingsSchema<>(subject, type, defaults);
    }

    /** Settings record for things that have no settings. */
    public record None() {
    }

    /** A schema with no settings. */
    public static SettingsSchema<None> none(String subject) {
        return of(subject, None.class, new None());
    }

    public Class<R> type() {
        return type;
    }

    public R defaults() {
        return defaults;
    }

    public String subject() {
        return subject;
    }

    /** The settings in declaration order. */
    public List<SettingDescriptor> descriptors() {
        return descriptors;
    }

    /**
     * Binds {@code values} over the defaults. Values may be text ({@code "0.01"}) or typed objects;
     * keys not in the schema, unparsable values and values out of range are errors, all reported at
     * once.
     */
    public R bind(Map<String, ?> values) {
        List<String> problems = new ArrayList<>();
        Map<String, SettingDescriptor> byKey = new LinkedHashMap<>();
        descriptors.forEach(d -> byKey.put(d.key(), d));
        for (String k : values.keySet()) {
            if (!byKey.containsKey(k)) {
                problems.add("unknown setting '" + k + "' (known: " + String.join(", ", byKey.keySet()) + ")");
            }
        }
        R r = build(type, constructor, defaults, values, byKey, problems);
        if (!problems.isEmpty()) {
            throw new SettingsException(subject, problems);
        }
        return r;
    }

    /** Builds a record of {@code t} from {@code values} over {@code defs}; problems collected, null if any. */
    private static <T> T build(Class<T> t, Constructor<T> ctor, Record defs, Map<String, ?> values,
            Map<String, SettingDescriptor> byKey, List<String> problems) {
        RecordComponent[] comps = t.getRecordComponents();
        Object[] args = new Object[comps.length];
        int before = problems.size();
        for (int i = 0; i < comps.length; i++) {
            RecordComponent c = comps[i];
            if (nested(c)) {
                args[i] = buildNested(c.getType(), (Record) value(c, defs), values, byKey, problems);
            } else if (values.containsKey(c.getName())) {
                Object raw = values.get(c.getName());
                try {
                    args[i] = convert(raw, c.getType());
                } catch (IllegalArgumentException e) {
                    problems.add("'" + c.getName() + "': " + e.getMessage());
                    args[i] = value(c, defs);
                    continue;
                }
                String range = checkRange(byKey.get(c.getName()), args[i]);
                if (range != null) {
                    problems.add(range);
                }
            } else {
                args[i] = value(c, defs);
            }
        }
        if (problems.size() > before) {
            return null;
        }
        try {
            return ctor.newInstance(args);
        } catch (InvocationTargetException e) {
            problems.add(String.valueOf(e.getCause().getMessage()));
            return null;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static <T> T buildNested(Class<T> t, Record defs, Map<String, ?> values,
            Map<String, SettingDescriptor> byKey, List<String> problems) {
        return build(t, canonical(t), defs, values, byKey, problems);
    }

    /** Binds {@code k=v} strings, as typed in the shell. */
    public R bindArguments(List<String> keyValues) {
        return bind(parseArguments(subject, keyValues));
    }

    /** Parses {@code k=v} strings into a map, keeping their order. */
    public static Map<String, String> parseArguments(String subject, List<String> keyValues) {
        Map<String, String> m = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (String kv : keyValues) {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                problems.add("'" + kv + "' is not of the form key=value");
            } else {
                m.put(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
            }
        }
        if (!problems.isEmpty()) {
            throw new SettingsException(subject, problems);
        }
        return m;
    }

    /** The record's values by key (groups flattened), enums as lower-case names (JSON-friendly). */
    public Map<String, Object> toMap(R settings) {
        Map<String, Object> m = new LinkedHashMap<>();
        List<Object> values = new ArrayList<>();
        leaves(settings, values);
        for (int i = 0; i < values.size(); i++) {
            Object v = values.get(i);
            if (v instanceof Enum<?> e) {
                v = e.name().toLowerCase(Locale.ROOT);
            }
            m.put(descriptors.get(i).key(), v);
        }
        return m;
    }

    /** Range and choice problems of a record, empty if valid. */
    public List<String> validate(R settings) {
        List<String> problems = new ArrayList<>();
        List<Object> values = new ArrayList<>();
        leaves(settings, values);
        for (int i = 0; i < values.size(); i++) {
            String p = checkRange(descriptors.get(i), values.get(i));
            if (p != null) {
                problems.add(p);
            }
        }
        return problems;
    }

    private static String checkRange(SettingDescriptor d, Object v) {
        if (v instanceof Number n) {
            double x = n.doubleValue();
            if (!d.inRange(x)) {
                return "'" + d.key() + "' = " + v + " is outside " + d.constraintText();
            }
        } else if (v instanceof String s && !d.choices().isEmpty() && !d.choices().contains(s)) {
            return "'" + d.key() + "' = '" + s + "' is not one of " + d.constraintText();
        }
        return null;
    }

    private static Object value(RecordComponent c, Record r) {
        try {
            var accessor = c.getAccessor();
            accessor.setAccessible(true);
            return accessor.invoke(r);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object convert(Object raw, Class<?> target) {
        Class<?> t = box(target);
        if (raw == null) {
            throw new IllegalArgumentException("no value");
        }
        if (t.isInstance(raw)) {
            return raw;
        }
        if (raw instanceof Number n && Number.class.isAssignableFrom(t)) {
            if (t == Double.class) {
                return n.doubleValue();
            }
            double d = n.doubleValue();
            if (d != Math.rint(d)) {
                throw new IllegalArgumentException(raw + " is not a whole number");
            }
            return t == Integer.class ? (Object) n.intValue() : (Object) n.longValue();
        }
        String s = raw.toString().trim();
        try {
            if (t == Integer.class) {
                return Integer.parseInt(s);
            }
            if (t == Long.class) {
                return Long.parseLong(s);
            }
            if (t == Double.class) {
                return Double.parseDouble(s);
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + s + "' is not a " + t.getSimpleName().toLowerCase(Locale.ROOT));
        }
        if (t == Boolean.class) {
            if (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false")) {
                return Boolean.parseBoolean(s);
            }
            throw new IllegalArgumentException("'" + s + "' is not true or false");
        }
        if (t == String.class) {
            return s;
        }
        if (t.isEnum()) {
            for (Object constant : t.getEnumConstants()) {
                if (((Enum) constant).name().equalsIgnoreCase(s.replace('-', '_'))) {
                    return constant;
                }
            }
            throw new IllegalArgumentException("'" + s + "' is not one of "
                    + Arrays.toString(t.getEnumConstants()).toLowerCase(Locale.ROOT));
        }
        throw new IllegalArgumentException("unsupported setting type " + t.getName());
    }

    private static Class<?> box(Class<?> c) {
        if (!c.isPrimitive()) {
            return c;
        }
        if (c == int.class) {
            return Integer.class;
        }
        if (c == long.class) {
            return Long.class;
        }
        if (c == double.class) {
            return Double.class;
        }
        if (c == boolean.class) {
            return Boolean.class;
        }
        if (c == float.class) {
            return Float.class;
        }
        throw new IllegalArgumentException("unsupported primitive setting type " + c);
    }
}
