package io.cmis.platform.logging;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import io.cmis.platform.config.LogSettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every platform's credentials, in every place a log line carries them (query strings, form bodies, JSON
 * bodies, headers, exception messages and their causes), through the tool's own logging set-up in both
 * formats at every level, and through the crash log: none of them comes out, while ids do.
 */
class SecretsInLogsTest {
    private static final Logger log = LoggerFactory.getLogger("io.cmis.platform.http.GuardedHttpClient");
    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();

    @TempDir
    Path dataDir;

    @AfterEach
    void restore() {
        Logging.configure(new LogSettings("text", "warn"), false, System.err);
    }

    static Stream<Arguments> formatsLevelsAndVerbosity() {
        return Stream.of("text", "json").flatMap(format -> Stream.of(Level.values()).flatMap(level ->
                Stream.of(false, true).map(verbose -> Arguments.of(format, level, verbose))));
    }

    @ParameterizedTest(name = "log.format={0} log.level={1} verbose={2}")
    @MethodSource("formatsLevelsAndVerbosity")
    void no_credential_of_any_platform_reaches_the_log(String format, Level level, boolean verbose) {
        Logging.configure(new LogSettings(format, level.name().toLowerCase(java.util.Locale.ROOT)), verbose,
                new PrintStream(captured, true, StandardCharsets.UTF_8));

        int events = logEverySecretAt(level);

        String out = captured.toString(StandardCharsets.UTF_8);
        assertThat(out.lines().filter(l -> l.contains("call-marker")).count()).as("every event was written")
                .isGreaterThanOrEqualTo(events);
        if (verbose || format.equals("json")) {
            assertThat(out).as("the causes were written too").contains("cause-marker");
        }
        assertThat(Leaks.in(out, PlatformSecrets.ALL)).isEmpty();
        assertThat(out).as("ids are not secrets").contains(PlatformSecrets.UUID_ID).contains(PlatformSecrets.AD_ACCOUNT)
                .contains(PlatformSecrets.TIKTOK_ADVERTISER);
    }

    @Test
    void no_credential_reaches_stderr_before_the_configuration_is_loaded() throws Exception {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        PrintStream original = System.err;
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            context.reset();
            JoranConfigurator boot = new JoranConfigurator();
            boot.setContext(context);
            boot.doConfigure(getClass().getResource("/logback.xml"));
            logEverySecretAt(Level.WARN);
            logEverySecretAt(Level.ERROR);
        } finally {
            System.setErr(original);
        }

        String out = captured.toString(StandardCharsets.UTF_8);
        assertThat(out).contains("call-marker");
        assertThat(Leaks.in(out, PlatformSecrets.ALL)).isEmpty();
    }

    @Test
    void no_credential_reaches_the_crash_log() throws Exception {
        for (PlatformSecrets.Secret secret : PlatformSecrets.ALL) {
            CrashLog.record(dataDir, "connect complete", failure(secret));
        }

        String text = Files.readString(dataDir.resolve("logs/errors.log"));
        assertThat(text).contains("cause-marker").contains("at io.cmis").contains(PlatformSecrets.UUID_ID);
        assertThat(Leaks.in(text, PlatformSecrets.ALL)).isEmpty();
    }

    /** Each carrier of each secret as a message argument, then each secret's carriers in an exception chain. */
    private static int logEverySecretAt(Level level) {
        int events = 0;
        for (PlatformSecrets.Secret secret : PlatformSecrets.ALL) {
            for (String carrier : PlatformSecrets.carriers(secret)) {
                log.atLevel(level).log("call-marker for org " + PlatformSecrets.UUID_ID + ": {}", carrier);
                events++;
            }
            log.atLevel(level).setCause(failure(secret)).log("call-marker " + secret.what() + " failed: "
                    + String.join(" ", PlatformSecrets.carriers(secret)));
            events++;
        }
        return events;
    }

    private static RuntimeException failure(PlatformSecrets.Secret secret) {
        List<String> carriers = PlatformSecrets.carriers(secret);
        RuntimeException cause = new IllegalStateException("cause-marker upstream said: " + String.join("\n", carriers));
        RuntimeException failure = new RuntimeException("call for " + PlatformSecrets.UUID_ID + " failed: "
                + String.join(" ; ", carriers), cause);
        failure.addSuppressed(new java.io.IOException("while closing: " + carriers.get(0)));
        return failure;
    }
}
