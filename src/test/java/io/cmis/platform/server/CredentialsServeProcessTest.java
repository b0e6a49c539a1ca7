package io.cmis.platform.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.cmis.platform.cli.Json;
import io.cmis.platform.sandbox.Simulator;
import io.cmis.platform.support.CliProcess;
import io.cmis.platform.support.CliRun;
import io.cmis.platform.support.CredentialReaders;
import io.cmis.platform.support.OAuthUser;
import io.cmis.platform.support.PlatformTestBed;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two real {@code serve} processes on one database, twenty applications asking both at once for the
 * credentials of one integration whose token is due: one refresh at the platform, the new token for all
 * (TikTok's rotating refresh token included), and no token in either process's output; on the embedded
 * database and on production's PostgreSQL 15 through PgBouncer in transaction mode.
 */
class CredentialsServeProcessTest {
    private static final Pattern LISTENING = Pattern.compile("listening on (http://127\\.0\\.0\\.1:\\d+)");

    @ParameterizedTest(name = "{0} {1} on {4}")
    @CsvSource({"google, '', /token, 55, embedded",
            "tiktok, tt_user, /open_api/v1\\.3/tt_user/oauth2/refresh_token/, 115, embedded",
            "tiktok, tt_user, /open_api/v1\\.3/tt_user/oauth2/refresh_token/, 115, postgresql-15+pgbouncer"})
    void twenty_readers_on_two_serve_processes_make_one_refresh_and_all_get_the_new_token(
            String platform, String kind, String refreshPath, int minutesAgo, String database) throws Exception {
        try (PlatformTestBed bed = database.equals("embedded") ? new PlatformTestBed()
                : PlatformTestBed.onProductionDatabase(true)) {
            // serve runs on the real clock: connect as if minutesAgo ago, so the token is due now.
            bed.clock.set(Instant.now().minus(Duration.ofMinutes(minutesAgo)));
            String org = UUID.randomUUID().toString();
            CliRun cli = bed.cli();
            String[] extra = kind.isEmpty() ? new String[0] : new String[]{"--kind", kind};
            String integration = OAuthUser.connect(cli, org, platform, extra).get("id").asText();
            String key = Json.MAPPER.readTree(cli.run("--json", "api-keys", "create", "--org", org, "--name", "app",
                    "--scopes", "credentials:read").ok().stdout()).get("key").asText();
            bed.clock.set(Instant.now()); // the platform issues the new token now
            Simulator simulator = platform.equals("google") ? bed.sandbox.google() : bed.sandbox.tiktok();
            int before = simulator.requests(refreshPath);
            simulator.latency(Duration.ofMillis(400));
            Map<String, String> env = bed.processEnvironment();
            CliProcess a = CliProcess.start(env, "serve", "--port", "0", "--workers", "0");
            CliProcess b = CliProcess.start(bed.processEnvironment(), "serve", "--port", "0", "--workers", "0");
            try {
                a.awaitOutput("listening on");
                b.awaitOutput("listening on");
                List<JsonNode> answers = CredentialReaders.race(List.of(url(a), url(b)), integration, key, 20);

                assertThat(simulator.requests(refreshPath) - before).as("refreshes at the platform").isEqualTo(1);
                assertThat(answers.stream().map(n -> n.get("access_token").asText()).collect(Collectors.toSet()))
                        .as("one token for all").hasSize(1);
                assertThat(answers.stream().filter(n -> n.get("refreshed").asBoolean()).count()).isEqualTo(1);
                String token = answers.get(0).get("access_token").asText();
                assertThat(a.output() + b.output()).doesNotContain(token).doesNotContain(token.substring(5, 17));
            } finally {
                simulator.latency(Duration.ZERO);
                a.kill();
                b.kill();
            }
            String served = bed.jdbi.withHandle(h -> h.createQuery("SELECT count(*) FILTER (WHERE refreshed) || '/' "
                    + "|| count(*) FROM cmis_platform.credential_reads WHERE outcome = 'served'").mapTo(String.class).one());
            assertThat(served).isEqualTo("1/20");
            String status = bed.jdbi.withHandle(h -> h.createQuery("SELECT status FROM cmis_platform.integrations")
                    .mapTo(String.class).one());
            assertThat(status).isEqualTo("active");
        }
    }

    private static URI url(CliProcess serve) {
        Matcher m = LISTENING.matcher(serve.output());
        assertThat(m.find()).as(serve.output()).isTrue();
        return URI.create(m.group(1) + "/");
    }
}
