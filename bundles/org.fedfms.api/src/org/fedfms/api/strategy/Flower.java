package org.fedfms.api.strategy;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * On a strategy class: the Flower strategy it corresponds to, which {@link AggregationStrategy#flower()} returns.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface Flower {

    /** Flower's class name in {@code flwr.server.strategy}, e.g. {@code FedAdam}. */
    String value();

    /** Our setting and Flower's parameter name as {@code key=name}, e.g. {@code serverLearningRate=eta}. */
    String[] parameters() default {};
}
