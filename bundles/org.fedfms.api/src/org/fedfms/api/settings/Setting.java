package org.fedfms.api.settings;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Describes one component of a settings record: the one definition that the shell, the workbench
 * forms and JSON specs all use.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.RECORD_COMPONENT, ElementType.PARAMETER, ElementType.FIELD, ElementType.METHOD})
public @interface Setting {

    /** What the setting means, for help texts and tooltips. */
    String description();

    /** Short label for forms; defaults to the component name. */
    String label() default "";

    /** Smallest allowed value of a numeric setting. */
    double min() default Double.NEGATIVE_INFINITY;

    /** Largest allowed value of a numeric setting. */
    double max() default Double.POSITIVE_INFINITY;

    /** Whether {@link #min()} itself is excluded (the value must be above it). */
    boolean minExclusive() default false;

    /** Whether {@link #max()} itself is excluded (the value must be below it). */
    boolean maxExclusive() default false;

    /** Allowed values of a text setting; empty means any. */
    String[] choices() default {};
}
