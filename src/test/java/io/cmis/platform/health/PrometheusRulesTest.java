package io.cmis.platform.health;

import io.cmis.platform.support.Promtool;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shipped alerting rules (config/prometheus/cmis-platform.rules.yml) through Prometheus's own
 * promtool: valid, and their unit tests (cmis-platform.rules.test.yml) pass — each alert fires by
 * five minutes after its failure and not before its {@code for:}.
 */
class PrometheusRulesTest {
    static final Path DIR = Path.of("config/prometheus");
    static final Path RULES = DIR.resolve("cmis-platform.rules.yml");
    static final Path TESTS = DIR.resolve("cmis-platform.rules.test.yml");
    /** Collection (textfile 60 s + scrape 30 s) + evaluation (30 s) + for: within five minutes. */
    private static final Duration LONGEST_FOR = Duration.ofMinutes(3);
    /** Alerts whose failure is a duration itself (their `for:` is that duration; the rules file says why). */
    private static final Set<String> FAILURE_IS_A_DURATION = Set.of("CmisRateLimitedScopeHeld");

    @Test
    void promtool_checks_the_rules_clean() throws Exception {
        Promtool.Result check = Promtool.run(DIR, null, "check", "rules", RULES.getFileName().toString());
        assertThat(check.exitCode()).as(check.output()).isZero();
        assertThat(check.output()).contains("SUCCESS");
    }

    @Test
    void the_rules_pass_their_unit_tests() throws Exception {
        Promtool.Result test = Promtool.run(DIR, null, "test", "rules", TESTS.getFileName().toString());
        assertThat(test.exitCode()).as(test.output()).isZero();
        assertThat(test.output()).contains("SUCCESS");
    }

    @Test
    void the_unit_tests_fail_when_an_alert_would_come_too_late_or_too_early() throws Exception {
        Path dir = Files.createTempDirectory("rules");
        Files.copy(TESTS, dir.resolve(TESTS.getFileName()));
        String rules = Files.readString(RULES);
        // needs_reauth two minutes later: past the five-minute bound.
        Files.writeString(dir.resolve(RULES.getFileName()), rules.replaceFirst(
                "(expr: cmis_integrations\\{status=\"needs_reauth\"} > 0\n\\s+for:) 2m", "$1 4m"));
        Promtool.Result late = Promtool.run(dir, null, "test", "rules", TESTS.getFileName().toString());
        assertThat(late.exitCode()).as(late.output()).isNotZero();
        assertThat(late.output()).contains("CmisIntegrationNeedsReauth");
        // the breaker without its for: fires before it.
        Files.writeString(dir.resolve(RULES.getFileName()), rules.replaceFirst(
                "(state=\"open\"}\\[2m]\\) == 1\n\\s+for:) 1m", "$1 0s"));
        Promtool.Result early = Promtool.run(dir, null, "test", "rules", TESTS.getFileName().toString());
        assertThat(early.exitCode()).as(early.output()).isNotZero();
        assertThat(early.output()).contains("CmisCircuitBreakerOpen");
    }

    @Test
    void every_alert_says_what_to_do_with_health_s_severity_a_for_within_the_bound_and_a_unit_test() throws Exception {
        Set<String> tested = new HashSet<>();
        Set<String> testedQuiet = new HashSet<>();
        for (Map<String, Object> test : this.<Map<String, Object>>list(new Yaml().<Map<String, Object>>load(
                Files.readString(TESTS)).get("tests"))) {
            for (Map<String, Object> check : this.<Map<String, Object>>list(test.get("alert_rule_test"))) {
                String name = (String) check.get("alertname");
                (list(check.get("exp_alerts")).isEmpty() ? testedQuiet : tested).add(name);
            }
        }
        List<Map<String, Object>> rules = rules();
        assertThat(rules).hasSizeGreaterThanOrEqualTo(15);
        for (Map<String, Object> rule : rules) {
            String name = (String) rule.get("alert");
            assertThat(name).as("alerting rules only").isNotNull();
            assertThat(tested).as(name + ": a unit test where it fires").contains(name);
            assertThat(testedQuiet).as(name + ": a unit test where it does not fire yet").contains(name);
            Map<String, Object> labels = map(rule.get("labels"));
            assertThat(labels.get("severity")).as(name).isIn("warning", "critical");
            Map<String, Object> annotations = map(rule.get("annotations"));
            assertThat((String) annotations.get("summary")).as(name).isNotBlank();
            assertThat((String) annotations.get("description")).as(name + ": what to do")
                    .containsAnyOf("cmis-platform", "README #", "crontab", "journalctl", "`");
            Duration pending = duration(String.valueOf(rule.get("for")));
            if (!FAILURE_IS_A_DURATION.contains(name)) {
                assertThat(pending).as(name + ": for").isLessThanOrEqualTo(LONGEST_FOR);
            }
        }
    }

    static List<Map<String, Object>> rules() throws Exception {
        Map<String, Object> file = new Yaml().load(Files.readString(RULES));
        List<Map<String, Object>> rules = new java.util.ArrayList<>();
        for (Object group : (List<?>) file.get("groups")) {
            rules.addAll(new PrometheusRulesTest().<Map<String, Object>>list(map(group).get("rules")));
        }
        return rules;
    }

    @SuppressWarnings("unchecked")
    private <T> List<T> list(Object o) {
        return o == null ? List.of() : (List<T>) o;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return o == null ? Map.of() : (Map<String, Object>) o;
    }

    /** A Prometheus duration as the rules write it: 0s, 90s, 1m, 2h. */
    private static Duration duration(String text) {
        assertThat(text).matches("\\d+[smh]");
        long n = Long.parseLong(text.substring(0, text.length() - 1));
        return switch (text.charAt(text.length() - 1)) {
            case 's' -> Duration.ofSeconds(n);
            case 'm' -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
    }
}
