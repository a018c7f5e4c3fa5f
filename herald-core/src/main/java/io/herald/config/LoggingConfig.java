package io.herald.config;

import java.util.List;
import java.util.Locale;

/**
 * How {@code herald serve} writes its log to stdout: {@code text} lines ({@code 2025-05-01T14:03:07.123+02:00 INFO
 * [thread] logger - message}) or {@code json}, one object per line for a log collector. An application that
 * embeds Herald keeps its own logging setup: only the command line applies this section.
 *
 * @param format {@code text} (default) or {@code json}
 * @param level the root level, {@code trace} to {@code error}; null (the default) leaves the one the bundled
 *              {@code logback.xml} set from {@code HERALD_LOG_LEVEL}, else {@code info}
 */
public record LoggingConfig(
        @Doc(value = "text (one line per event, for people) or json (one JSON object per line, for a log collector).", values = "FORMATS")
        String format,
        @Doc(value = "The root log level; when unset, HERALD_LOG_LEVEL, else info.", values = "LEVELS", example = "info")
        String level) {
    public static final List<String> FORMATS = List.of("text", "json");
    public static final List<String> LEVELS = List.of("trace", "debug", "info", "warn", "error");

    public LoggingConfig {
        format = format == null || format.isBlank() ? "text" : format.trim().toLowerCase(Locale.ROOT);
        level = level == null || level.isBlank() ? null : level.trim().toLowerCase(Locale.ROOT);
        if (!FORMATS.contains(format)) {
            throw new ConfigException("logging.format", "must be one of " + FORMATS + ", was '" + format + "'");
        }
        if (level != null && !LEVELS.contains(level)) {
            throw new ConfigException("logging.level", "must be one of " + LEVELS + ", was '" + level + "'");
        }
    }

    public static LoggingConfig defaults() {
        return new LoggingConfig(null, null);
    }

    /** Whether each line is a JSON object. */
    public boolean json() {
        return format.equals("json");
    }
}
