package io.cmis.platform.health;

import com.fasterxml.jackson.databind.JsonNode;
import io.cmis.platform.cli.Json;
import io.cmis.platform.sandbox.WebhookEmitter;
import io.cmis.platform.support.Browser;
import io.cmis.platform.support.CliRun;
import io.cmis.platform.support.OAuthUser;
import io.cmis.platform.support.PlatformTestBed;
import io.cmis.platform.support.Promtool;
import io.cmis.platform.support.WebhookServer;
import io.cmis.platform.webhooks.EventOutcome;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The operators' kit against what the tool really exports: every metric the shipped Grafana
 * dashboard (config/grafana/cmis-platform.json) and the alerting rules query is one that a running
 * serve's {@code /metrics} or the {@code health --prometheus} textfile carries. The names are read
 * from a scrape of a real server and a real textfile, never from a list kept by hand.
 */
class MonitoringKitTest {
    static final Path DASHBOARD = Path.of("config/grafana/cmis-platform.json");
    /** Series Prometheus makes itself for every target. */
    private static final Set<String> PROMETHEUS_OWN = Set.of("up");
    private static String scrape;
    private static String textfile;
    private static Set<String> exported;

    /** One serve with everything it counts exercised once, scraped; then the textfile of the same database. */
    @BeforeAll
    static void scrapeARunningServe() throws Exception {
        String org = UUID.randomUUID().toString();
        try (PlatformTestBed bed = new PlatformTestBed(); WebhookServer server = new WebhookServer(bed)) {
            CliRun cli = bed.cli();
            Browser user = new Browser();
            user.get(user.begin(cli, server, org, "meta").callback()); // serve's own platform calls
            String integration = Json.MAPPER.readTree(cli.run("--json", "integrations", "list", "--org", org).ok()
                    .stdout()).get(0).get("id").asText();
            cli.run("sync", "--org", org).ok(); // a sync run: its last-run timestamp
            server.post("meta", WebhookEmitter.meta("""
                    {"object":"page","entry":[{"id":"1","time":1,"changes":[
                      {"field":"feed","value":{"item":"comment","verb":"add","comment_id":"a"}}]}]}"""));
            // serve hands its workers' outcomes to the monitor the same way (ServeCommand)
            for (EventOutcome outcome : server.processAll()) {
                server.monitor.eventProcessed(outcome.outcome());
            }
            String key = Json.MAPPER.readTree(cli.run("--json", "api-keys", "create", "--org", org, "--name", "app",
                    "--scopes", "credentials:read,proxy").ok().stdout()).get("key").asText();
            assertThat(send(server, "POST", "/api/v1/integrations/" + integration + "/credentials", key).statusCode())
                    .isEqualTo(200);
            assertThat(send(server, "GET", "/api/v1/proxy/" + integration + "/graph/me", key).statusCode())
                    .isEqualTo(200);

            HttpResponse<String> metrics = server.get("/metrics");
            assertThat(metrics.statusCode()).isEqualTo(200);
            scrape = metrics.body();
            Path file = Files.createTempDirectory("textfile").resolve("cmis.prom");
            cli.run("health", "--prometheus", file.toString());
            textfile = Files.readString(file);
        }
        exported = new TreeSet<>();
        exported.addAll(names(scrape));
        exported.addAll(names(textfile));
    }

    private static HttpResponse<String> send(WebhookServer server, String method, String path, String key)
            throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(server.uri(path))
                .header("Authorization", "Bearer " + key).method(method, HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The series names of an exposition: each sample's, and those its TYPE lines imply. */
    static Set<String> names(String exposition) {
        Set<String> names = new TreeSet<>();
        for (String line : exposition.split("\n")) {
            Matcher type = Pattern.compile("# TYPE (\\S+) (\\S+)").matcher(line);
            if (type.matches()) {
                String n = type.group(1);
                switch (type.group(2)) {
                    case "counter" -> names.add(n.endsWith("_total") ? n : n + "_total");
                    case "histogram" -> names.addAll(List.of(n + "_bucket", n + "_count", n + "_sum"));
                    case "info" -> names.add(n.endsWith("_info") ? n : n + "_info");
                    default -> names.add(n);
                }
            } else if (!line.isBlank() && !line.startsWith("#")) {
                names.add(line.split("[{ ]", 2)[0]);
            }
        }
        return names;
    }

    private static final Pattern IDENTIFIER = Pattern.compile("(?<![\\w$.:])([a-zA-Z_:][a-zA-Z0-9_:]*)(\\s*\\()?");
    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "by", "without",
            "on", "ignoring", "group_left", "group_right", "inf", "nan", "atan2");

    /** The metric names a PromQL expression selects: identifiers that are not functions, keywords or label names. */
    static Set<String> metricNames(String expr) {
        String s = expr.replaceAll("\"(\\\\.|[^\"\\\\])*\"", "\"\"")
                .replaceAll("'(\\\\.|[^'\\\\])*'", "''")
                .replaceAll("\\{[^}]*}", "")
                .replaceAll("\\[[^]]*]", "")
                .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", "");
        Set<String> names = new TreeSet<>();
        Matcher m = IDENTIFIER.matcher(s);
        while (m.find()) {
            if (m.group(2) == null && !KEYWORDS.contains(m.group(1).toLowerCase())) {
                names.add(m.group(1));
            }
        }
        return names;
    }

    @Test
    void the_name_reader_finds_what_an_expression_selects_and_nothing_else() {
        assertThat(metricNames("histogram_quantile(0.95, sum by (le, platform) (rate(cmis_made_up_bucket"
                + "{platform=~\"$platform\", le!=\"x y\"}[$__rate_interval]))) > bool 1e3 unless on (job) up == 0"))
                .containsExactly("cmis_made_up_bucket", "up");
        assertThat(metricNames("time() - max(cmis_sync_last_run_timestamp_seconds) > 6 * 3600 + 60 offset 5m"))
                .containsExactly("cmis_sync_last_run_timestamp_seconds");
        assertThat(names("# TYPE cmis_x counter\n# TYPE cmis_h histogram\ncmis_g{a=\"1\"} 2.0\n"))
                .containsExactly("cmis_g", "cmis_h_bucket", "cmis_h_count", "cmis_h_sum", "cmis_x_total");
    }

    @Test
    void the_scrape_and_the_textfile_carry_what_serve_and_health_measure() {
        assertThat(exported).contains("cmis_api_call_duration_seconds_bucket", "cmis_proxy_requests_total",
                "cmis_credential_reads_total", "cmis_webhook_requests_total", "cmis_webhook_events_processed_total",
                "cmis_serve_loop_up", "cmis_sync_last_run_timestamp_seconds", "cmis_api_call_log_partitions_ahead",
                "cmis_health_status", "cmis_circuit_breaker_state");
        assertThat(names(textfile)).as("the textfile: the health gauges, no serve counter")
                .contains("cmis_sync_last_run_timestamp_seconds", "cmis_api_call_log_partitions_ahead")
                .doesNotContain("cmis_proxy_requests_total", "cmis_serve_loop_up");
    }

    @Test
    void every_metric_the_dashboard_queries_is_exported() throws Exception {
        Set<String> used = new TreeSet<>();
        for (String expr : dashboardQueries()) {
            Set<String> names = metricNames(expr);
            assertThat(names).as("a query that selects a metric: " + expr).isNotEmpty();
            assertThat(exported).as(expr).containsAll(names);
            used.addAll(names);
        }
        // What the dashboard is for: per platform calls, errors, p95, breaker, limits; webhooks; tokens; API and proxy.
        assertThat(used).contains("cmis_api_calls_24h", "cmis_api_call_failures_24h", "cmis_api_call_duration_p95_seconds",
                "cmis_api_call_duration_seconds_bucket", "cmis_circuit_breaker_state", "cmis_rate_limit_usage_ratio",
                "cmis_rate_limited_scopes", "cmis_webhook_requests_total", "cmis_webhook_oldest_queued_seconds",
                "cmis_webhook_events", "cmis_integrations", "cmis_credential_reads_total", "cmis_proxy_requests_total");
    }

    @Test
    void every_metric_the_rules_query_is_exported() throws Exception {
        for (Map<String, Object> rule : PrometheusRulesTest.rules()) {
            String expr = String.valueOf(rule.get("expr"));
            Set<String> names = metricNames(expr);
            assertThat(names).as(rule.get("alert") + ": " + expr).isNotEmpty();
            Set<String> unknown = new TreeSet<>(names);
            unknown.removeAll(exported);
            unknown.removeAll(PROMETHEUS_OWN);
            assertThat(unknown).as(rule.get("alert") + " queries what the tool does not export").isEmpty();
        }
    }

    @Test
    void a_query_of_a_metric_the_tool_does_not_export_is_caught() {
        Set<String> names = metricNames("sum by (platform) (rate(cmis_webhook_request_total{platform=~\"$platform\"}[5m]))");
        assertThat(exported).as("a misspelt counter").doesNotContainAnyElementsOf(names);
    }

    @Test
    void the_dashboard_imports_as_is_one_prometheus_input_and_a_platform_variable() throws Exception {
        JsonNode d = Json.MAPPER.readTree(Files.readString(DASHBOARD));
        assertThat(d.get("__inputs")).hasSize(1);
        JsonNode input = d.get("__inputs").get(0);
        assertThat(input.get("type").asText()).isEqualTo("datasource");
        assertThat(input.get("pluginId").asText()).isEqualTo("prometheus");
        String ds = "${" + input.get("name").asText() + "}";
        assertThat(d.get("id").isNull()).as("id null: Grafana assigns one on import").isTrue();
        assertThat(d.get("uid").asText()).isEqualTo("cmis-platform");
        Set<Integer> ids = new java.util.HashSet<>();
        for (JsonNode panel : d.get("panels")) {
            assertThat(ids.add(panel.get("id").asInt())).as("unique panel id").isTrue();
            if (panel.get("type").asText().equals("row")) {
                continue;
            }
            assertThat(panel.at("/datasource/uid").asText()).as(panel.get("title").asText()).isEqualTo(ds);
            assertThat(panel.get("targets")).isNotEmpty();
            for (JsonNode target : panel.get("targets")) {
                assertThat(target.at("/datasource/uid").asText()).isEqualTo(ds);
            }
        }
        JsonNode platform = null;
        for (JsonNode variable : d.at("/templating/list")) {
            if (variable.get("name").asText().equals("platform")) {
                platform = variable;
            }
        }
        assertThat(platform).as("a platform variable").isNotNull();
        assertThat(platform.at("/datasource/uid").asText()).isEqualTo(ds);
        Matcher values = Pattern.compile("label_values\\((\\w+), platform\\)").matcher(platform.at("/query/query").asText());
        assertThat(values.matches()).isTrue();
        assertThat(exported).contains(values.group(1));
        assertThat(dashboardQueries()).as("per-platform panels filter by it")
                .anyMatch(q -> q.contains("platform=~\"$platform\""));
    }

    @Test
    void every_dashboard_query_is_promql_that_prometheus_parses() throws Exception {
        StringBuilder rules = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
        int n = 0;
        for (String expr : dashboardQueries()) {
            String concrete = expr.replace("$__rate_interval", "2m").replace("$__interval", "1m")
                    .replace("$platform", ".*");
            rules.append("      - record: dashboard:query_").append(n++).append("\n        expr: ")
                    .append(Json.MAPPER.writeValueAsString(concrete)).append('\n');
        }
        Path dir = Files.createTempDirectory("dashboard");
        Files.writeString(dir.resolve("queries.yml"), rules);
        Promtool.Result check = Promtool.run(dir, null, "check", "rules", "queries.yml");
        assertThat(check.exitCode()).as(check.output()).isZero();
    }

    @Test
    void promtool_finds_the_scrape_and_the_textfile_clean() throws Exception {
        for (String exposition : List.of(scrape, textfile)) {
            Promtool.Result check = Promtool.run(Path.of("."), exposition, "check", "metrics");
            assertThat(check.exitCode()).as(check.output()).isZero();
        }
    }

    static List<String> dashboardQueries() throws Exception {
        List<String> queries = new ArrayList<>();
        for (JsonNode panel : Json.MAPPER.readTree(Files.readString(DASHBOARD)).get("panels")) {
            for (JsonNode target : panel.path("targets")) {
                queries.add(target.get("expr").asText());
            }
        }
        assertThat(queries).hasSizeGreaterThan(10);
        return queries;
    }
}
