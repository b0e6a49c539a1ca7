package io.cmis.platform.logging;

import io.cmis.platform.config.LogSettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class LoggingTest {
    private static final String TOKEN = "EAABwzLixnjYBAKZCZBsecretpart";
    private static final Logger log = LoggerFactory.getLogger("platform.meta");
    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();

    @AfterEach
    void restore() {
        Logging.configure(new LogSettings("text", "warn"), false, System.err);
    }

    @Test
    void a_token_inside_an_exception_chain_is_masked_in_the_text_log_and_its_stack_trace() {
        configure("text", true);

        log.error("call to /me failed for token " + TOKEN, failure());

        String out = captured.toString(StandardCharsets.UTF_8);
        assertThat(out).contains("call to /me failed").contains("EAA****").contains("at io.cmis")
                .doesNotContain(TOKEN).doesNotContain("secretpart").doesNotContain("1//0gsecret");
    }

    @Test
    void without_verbose_the_text_log_has_no_stack_trace() {
        configure("text", false);

        log.error("refresh failed", failure());

        assertThat(captured.toString(StandardCharsets.UTF_8)).contains("refresh failed").doesNotContain("\tat ");
    }

    @Test
    void the_json_log_is_one_object_a_line_and_masked_too() {
        configure("json", false);

        log.warn("token {} rejected", TOKEN, failure());

        String out = captured.toString(StandardCharsets.UTF_8).strip();
        assertThat(out.lines()).allSatisfy(line -> assertThat(line).startsWith("{").endsWith("}"));
        assertThat(out).contains("\"level\":\"WARN\"").contains("EAA****").doesNotContain("secretpart");
    }

    @Test
    void levels_below_the_configured_one_are_dropped() {
        configure("text", false);

        log.info("chatty");
        log.warn("important");

        assertThat(captured.toString(StandardCharsets.UTF_8)).doesNotContain("chatty").contains("important");
    }

    private void configure(String format, boolean verbose) {
        Logging.configure(new LogSettings(format, "warn"), verbose,
                new PrintStream(captured, true, StandardCharsets.UTF_8));
    }

    private static RuntimeException failure() {
        return new RuntimeException("POST /token grant_type=refresh_token&refresh_token=1//0gsecretsecret failed",
                new IllegalStateException("upstream said: access_token=" + TOKEN));
    }
}
