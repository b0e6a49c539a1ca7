package io.cmis.platform.connect;

import io.cmis.platform.config.ConfigException;
import io.cmis.platform.support.CliRun;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * connect.return-urls: what an application may name as return_to. Each refusal below is a way an
 * attacker (or a sloppy parser) would turn serve into an open redirect.
 */
class ReturnUrlsTest {
    private final ReturnUrls allowed = ReturnUrls.parse(
            "https://app.example.com/app, http://127.0.0.1:8081/back/, https://other.example.com");

    @Test
    void an_allowed_origin_with_a_path_at_or_below_the_entry_is_allowed_and_its_query_kept() {
        for (String ok : List.of("https://app.example.com/app", "https://app.example.com/app/",
                "https://app.example.com/app/connected?tab=channels&x=%20y", "https://app.example.com:443/app/x",
                "http://127.0.0.1:8081/back/", "http://127.0.0.1:8081/back/done", "https://other.example.com",
                "https://other.example.com/anything")) {
            assertThat(allowed.check(ok)).as(ok).hasToString(ok);
        }
    }

    @Test
    void every_evil_return_to_is_refused() {
        List<String> evil = List.of(
                "https://app.example.com@evil.com/app",          // the allowed host as user information
                "https://app.example.com:443@evil.com/app",
                "https://evil.com\\@app.example.com/app",        // a backslash some browsers read as '/'
                "//evil.com/app",                                 // scheme-relative
                "/app/x",                                         // relative
                "https://app.example.com.evil.com/app",           // the allowed host as a prefix
                "https://evilapp.example.com/app",
                "https://example.com/app",
                "https:/\\evil.com/app",
                "https:\\\\evil.com/app",
                "https:evil.com/app",
                "https://APP.example.com/app",                    // mixed case: compared as written
                "HTTPS://app.example.com/app",
                "https://app.example.com./app",                   // trailing dot
                "https://%61pp.example.com/app",                  // percent-encoded host
                "https://app.example.com%2eevil.com/app",
                "https://app.exаmple.com/app",                    // a Cyrillic 'а'
                "javascript:alert(document.cookie)",
                "javascript://app.example.com/app%0aalert(1)",
                "data:text/html,<script>alert(1)</script>",
                "https://app.example.com:8443/app",               // a port change
                "http://app.example.com/app",                     // http instead of https
                "https://app.example.com/application",            // not on a segment boundary
                "https://app.example.com/ap",
                "https://app.example.com/app/../evil",            // traversal
                "https://app.example.com/app/./x",
                "https://app.example.com/app/%2e%2e/evil",
                "https://app.example.com/app/%2E%2E%2Fevil",
                "https://app.example.com/app/..%2fevil",
                "https://app.example.com/app%2f..%2fevil",
                "https://app.example.com/app%5c..%5cevil",
                "https://app.example.com/app/%252e%252e/evil",    // encoded twice
                "https://app.example.com/app/..;/evil",           // "..;" is ".." to some servers
                "https://app.example.com/app/.;x/evil",
                "https://app.example.com/app//evil.com",          // an empty segment
                "https://app.example.com//evil.com/app",
                "https://app.example.com/app#fragment",
                "https://app.example.com/app#",
                "https://app.example.com/app?state=forged",       // a parameter serve adds
                "https://app.example.com/app?x=1&integration_id=x",
                "https://app.example.com/app?st%61tus=connected",
                "https://app.example.com/app?error=%zz",
                " https://app.example.com/app",                   // whitespace, controls
                "https://app.example.com/app\t",
                "https://app.example.com/app\r\nLocation: https://evil.com",
                "https://app.example.com/app x",
                "",
                "https://app.example.com/app/" + "a".repeat(ReturnUrls.MAX_LENGTH),
                "http://127.0.0.1:8081/back",                     // the entry /back/ allows below it only
                "http://localhost:8081/back/",
                "http://127.0.0.1/back/",
                "ftp://app.example.com/app");
        for (String attack : evil) {
            assertThatThrownBy(() -> allowed.check(attack)).as(attack)
                    .isInstanceOf(ReturnToNotAllowedException.class)
                    .hasMessageStartingWith("return_to is not allowed: ")
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("evil"));
        }
    }

    @Test
    void nothing_is_allowed_when_the_setting_is_empty() {
        assertThatThrownBy(() -> ReturnUrls.parse("").check("https://app.example.com/app"))
                .isInstanceOf(ReturnToNotAllowedException.class).hasMessageContaining("connect.return-urls is empty");
    }

    @Test
    void the_result_is_appended_encoded_and_an_existing_query_kept() {
        Map<String, String> added = new LinkedHashMap<>();
        added.put("state", "7f1c");
        added.put("error", "a b&c=d");
        assertThat(ReturnUrls.withResult("https://app.example.com/app", added))
                .hasToString("https://app.example.com/app?state=7f1c&error=a+b%26c%3Dd");
        assertThat(ReturnUrls.withResult("https://app.example.com/app?tab=x&y=%20", added))
                .hasToString("https://app.example.com/app?tab=x&y=%20&state=7f1c&error=a+b%26c%3Dd");
        assertThat(ReturnUrls.withResult("https://app.example.com/app?", added))
                .hasToString("https://app.example.com/app?state=7f1c&error=a+b%26c%3Dd");
    }

    @Test
    void a_malformed_entry_is_a_configuration_error_naming_it() {
        for (String bad : List.of("app.example.com/app", "https://user@app.example.com/", "https://app.example.com/#x",
                "https://app.example.com/app?x=1", "https://app.example.com/a/../b", "javascript:alert(1)",
                "https://APP.example.com/", "ftp://app.example.com/", "https://app.example.com/a b",
                "https://app.example.com/ok,not a url")) {
            assertThatThrownBy(() -> ReturnUrls.parse(bad)).as(bad).isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith("connect.return-urls: '");
        }
    }

    @Test
    void a_malformed_entry_stops_any_command_with_exit_2_and_one_line() {
        CliRun.Result result = CliRun.withoutDatabase()
                .env("CMIS_CONNECT_RETURN_URLS", "https://app.example.com/app,https://user@evil.com/")
                .run("config", "show");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.stderr().strip().lines().count()).isEqualTo(1);
        assertThat(result.stderr()).contains("connect.return-urls: 'https://user@evil.com/'")
                .doesNotContain("Exception").doesNotContain("\tat ");
    }
}
