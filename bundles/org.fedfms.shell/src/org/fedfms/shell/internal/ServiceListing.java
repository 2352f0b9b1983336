package org.fedfms.shell.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import org.fedfms.api.settings.SettingDescriptor;
import org.fedfms.api.settings.SettingsSchema;
import org.fedfms.shell.Table;

/** The listing of one kind of service present now (dataset loaders, strategies): id, description, settings. */
final class ServiceListing {

    private ServiceListing() {
    }

    /** One row a service, in the order given; {@code noneText} heads the table when there is none. */
    static <T> Table table(String noneText, List<T> services, Function<T, String> id, Function<T, String> description,
            Function<T, SettingsSchema<?>> settings) {
        List<List<String>> rows = new ArrayList<>();
        for (T s : services) {
            rows.add(List.of(id.apply(s), description.apply(s), settingsSummary(settings.apply(s))));
        }
        return new Table(rows.isEmpty() ? noneText : "", List.of("id", "description", "settings (default)"), rows);
    }

    /** Each setting as {@code key=default (type range)}, a line each; "-" when there is none. */
    static String settingsSummary(SettingsSchema<?> schema) {
        List<String> lines = new ArrayList<>();
        for (SettingDescriptor d : schema.descriptors()) {
            String c = d.constraintText();
            Object def = d.defaultValue();
            String shown = def instanceof String str && str.isEmpty() ? "''" : String.valueOf(def);
            lines.add(d.key() + "=" + shown + " (" + d.typeName() + (c.isEmpty() ? "" : " " + c) + ")");
        }
        return lines.isEmpty() ? "-" : String.join("\n", lines);
    }
}
