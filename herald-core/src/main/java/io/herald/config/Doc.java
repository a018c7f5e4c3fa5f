package io.herald.config;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * What a configuration key means, for its users: kept on the record component that holds the key, read at run
 * time by the configuration reference ({@code docs/configuration.md}, {@code docs/herald.schema.json} and
 * {@code herald default-config}). The default is never written here: it is what the record's constructor gives.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.RECORD_COMPONENT, ElementType.METHOD})
public @interface Doc {
    /** One line: what the key does, with its unit (ms, seconds, bytes) where it has one. */
    String value();

    /** For a map: what its keys are, shown as {@code <key>} in key paths ({@code "table"}: {@code broadcast.tables.<table>}). */
    String key() default "name";

    /**
     * Names of static {@code List<String>} fields, of the record or a record enclosing it, holding every value the key
     * (or each item of a list, or each value of a map) accepts.
     */
    String[] values() default {};

    /** A value that shows the form of a key without a default, in YAML; a required key must have one. */
    String example() default "";

    /** The key must be given whenever its parent is. */
    boolean required() default false;

    /** The default when the constructor computes it at start-up instead of taking a constant, in words. */
    String computedDefault() default "";
}
