package org.fedfms.ui.internal.forms;

import org.eclipse.swt.widgets.Widget;

/**
 * The name a part gives a widget that matters to its user (a table, a status line, a button), kept as the
 * widget's data under {@value #KEY}: how tests and tools find a widget without the part handing it out.
 */
public final class WidgetName {

    /** Widget data key of the name. */
    public static final String KEY = "fedfms.name";

    private WidgetName() {
    }

    /** Names the widget; returns it. */
    public static <W extends Widget> W set(W widget, String name) {
        widget.setData(KEY, name);
        return widget;
    }
}
