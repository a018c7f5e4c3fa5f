package io.herald.server;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import io.herald.config.LoggingConfig;
import java.time.ZoneId;
import org.slf4j.LoggerFactory;

/**
 * Points {@code herald serve}'s log at stdout in the configured {@code logging.format} and level, replacing what
 * the bundled {@code logback.xml} set up (the same text pattern, so {@code text} looks the same before and
 * after). An operator's own logback file ({@code -Dlogback.configurationFile}) is left as it is. Called once, on
 * the main thread, before the server starts.
 */
final class LogOutput {
    /** The text format: ISO-8601 date, time and offset, level, thread, logger, message. Also in logback.xml. */
    static final String TEXT_PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %logger{24} - %msg%n";

    private LogOutput() {
    }

    static void configure(LoggingConfig config) {
        if (System.getProperty("logback.configurationFile") != null
                || !(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return;
        }
        Encoder<ILoggingEvent> encoder = config.json() ? new JsonLogEncoder(ZoneId.systemDefault()) : text();
        encoder.setContext(context);
        encoder.start();
        ConsoleAppender<ILoggingEvent> stdout = new ConsoleAppender<>();
        stdout.setContext(context);
        stdout.setName("STDOUT");
        stdout.setEncoder(encoder);
        stdout.start();
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.detachAndStopAllAppenders();
        root.addAppender(stdout);
        if (config.level() != null) {
            root.setLevel(Level.toLevel(config.level()));
        }
    }

    private static Encoder<ILoggingEvent> text() {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setPattern(TEXT_PATTERN);
        return encoder;
    }
}
