package io.cmis.platform.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import io.cmis.platform.config.LogSettings;
import org.slf4j.LoggerFactory;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/** Sets up the stderr log once the configuration is known: format, level, and the secret mask. */
public final class Logging {
    private static final String TEXT_PATTERN = "%d{HH:mm:ss.SSS} %-5level %logger{0}: %msg%n";

    /** Held so the JDK does not collect the configured logger (java.util.logging keeps weak references). */
    private static final java.util.logging.Logger POSTGRES_JUL = java.util.logging.Logger.getLogger("org.postgresql");

    private Logging() {
    }

    /**
     * The PostgreSQL driver logs through java.util.logging straight to stderr; its warnings repeat
     * what our own error line says. Called before anything touches the driver.
     */
    public static void silenceDriverLogging() {
        POSTGRES_JUL.setLevel(java.util.logging.Level.OFF);
    }

    public static void configure(LogSettings settings, boolean verbose, PrintStream stderr) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return;
        }
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        // Detach without stopping: stopping logback's console appender would close System.err itself.
        List<Appender<ILoggingEvent>> previous = new ArrayList<>();
        root.iteratorForAppenders().forEachRemaining(previous::add);
        previous.forEach(root::detachAppender);

        MaskingEncoder encoder = new MaskingEncoder();
        encoder.setContext(context);
        encoder.setDelegate(inner(settings, verbose, context));
        encoder.start();

        OutputStreamAppender<ILoggingEvent> appender = new OutputStreamAppender<>();
        appender.setContext(context);
        appender.setName("stderr");
        appender.setOutputStream(new FilterOutputStream(stderr) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                flush(); // the stream belongs to the caller
            }
        });
        appender.setEncoder(encoder);
        appender.start();

        root.addAppender(appender);
        Level configured = Level.toLevel(settings.level(), Level.WARN);
        // --verbose means at least DEBUG; log.level=trace stays trace.
        root.setLevel(verbose && configured.isGreaterOrEqual(Level.DEBUG) ? Level.DEBUG : configured);
        // Libraries chatter at INFO about things an operator never needs (pool start, migrations scanned).
        quiet(context, "com.zaxxer.hikari", verbose);
        // During a database restart the pool warns once per broken connection it finds; the tool itself
        // says what happened (and what to do) in one line, so these are for --verbose.
        context.getLogger("com.zaxxer.hikari.pool.PoolBase").setLevel(verbose ? Level.INFO : Level.ERROR);
        // Flyway reports a failed migration at ERROR; the command already says why, in one line.
        context.getLogger("org.flywaydb").setLevel(verbose ? Level.INFO : Level.OFF);
        quiet(context, "io.zonky", verbose);
        quiet(context, "org.jdbi", verbose);
        // Jetty's debug log writes every request's URI and headers (the admin token, session and OAuth
        // cookies, callback codes): never on, not even with --verbose.
        context.getLogger("org.eclipse.jetty").setLevel(Level.INFO);
    }

    private static Encoder<ILoggingEvent> inner(LogSettings settings, boolean verbose, LoggerContext context) {
        if (settings.json()) {
            JsonEncoder json = new JsonEncoder();
            json.setContext(context);
            return json;
        }
        PatternLayoutEncoder pattern = new PatternLayoutEncoder();
        pattern.setContext(context);
        // Without --verbose an operator sees one line per problem; the stack trace is for --verbose.
        pattern.setPattern(verbose ? TEXT_PATTERN : TEXT_PATTERN + "%nopex");
        return pattern;
    }

    private static void quiet(LoggerContext context, String name, boolean verbose) {
        context.getLogger(name).setLevel(verbose ? Level.INFO : Level.WARN);
    }
}
