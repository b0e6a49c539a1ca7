package io.cmis.platform.concurrent;

import com.fasterxml.jackson.databind.JsonNode;
import io.cmis.platform.cli.Json;
import io.cmis.platform.support.CliRun;
import io.cmis.platform.support.CredentialReaders;
import io.cmis.platform.support.OAuthUser;
import io.cmis.platform.support.PlatformTestBed;
import io.cmis.platform.support.WebhookServer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Twenty applications ask for one integration's credentials at once through two servers over one
 * database, while its token is due: exactly one refresh reaches the platform, and every reader gets the
 * new token, also where the refresh token rotates (TikTok's tt_user: a second refresh with the old
 * refresh token would be refused and kill the grant).
 */
class CredentialReadersTest {

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"google, '', /token, 55m",
            "tiktok, tt_user, /open_api/v1\\.3/tt_user/oauth2/refresh_token/, 115m"})
    void twenty_readers_on_two_servers_make_one_refresh_and_all_get_the_new_token(String platform, String kind,
                                                                                String refreshPath, String advance)
            throws Exception {
        try (PlatformTestBed bed = new PlatformTestBed()) {
            String org = UUID.randomUUID().toString();
            CliRun cli = bed.cli();
            String[] extra = kind.isEmpty() ? new String[0] : new String[]{"--kind", kind};
            String integration = OAuthUser.connect(cli, org, platform, extra).get("id").asText();
            String key = Json.MAPPER.readTree(cli.run("--json", "api-keys", "create", "--org", org, "--name", "app",
                    "--scopes", "credentials:read").ok().stdout()).get("key").asText();
            bed.clock.advance(Duration.parse("PT" + advance.toUpperCase(java.util.Locale.ROOT)));
            int before = refreshes(bed, platform, refreshPath);
            // A slow token endpoint: every reader arrives while the first refresh is still in flight.
            simulator(bed, platform).latency(Duration.ofMillis(400));
            try (WebhookServer a = new WebhookServer(bed); WebhookServer b = new WebhookServer(bed)) {
                List<JsonNode> answers = CredentialReaders.race(List.of(a.uri("/"), b.uri("/")), integration, key, 20);

                assertThat(refreshes(bed, platform, refreshPath) - before).as("refreshes at the platform").isEqualTo(1);
                assertThat(answers.stream().map(n -> n.get("access_token").asText()).collect(Collectors.toSet()))
                        .as("one token for all").hasSize(1);
                assertThat(answers.stream().filter(n -> n.get("refreshed").asBoolean()).count()).isEqualTo(1);
                String stored = Json.MAPPER.readTree(cli.run("tokens", "get", integration).ok().stdout())
                        .get("access_token").asText();
                assertThat(answers.get(0).get("access_token").asText()).as("the new token, the one stored").isEqualTo(stored);
                assertThat(refreshes(bed, platform, refreshPath) - before).isEqualTo(1);
                assertThat(metric(a) + metric(b)).as("refreshes on read counted by the two servers").isEqualTo(1.0);
            } finally {
                simulator(bed, platform).latency(Duration.ZERO);
            }
            String served = bed.jdbi.withHandle(h -> h.createQuery("SELECT count(*) FILTER (WHERE refreshed) || '/' "
                    + "|| count(*) FROM cmis_platform.credential_reads WHERE outcome = 'served'").mapTo(String.class).one());
            assertThat(served).isEqualTo("1/21");
            String status = bed.jdbi.withHandle(h -> h.createQuery("SELECT status FROM cmis_platform.integrations")
                    .mapTo(String.class).one());
            assertThat(status).isEqualTo("active");
        }
    }

    static io.cmis.platform.sandbox.Simulator simulator(PlatformTestBed bed, String platform) {
        return platform.equals("google") ? bed.sandbox.google() : bed.sandbox.tiktok();
    }

    static int refreshes(PlatformTestBed bed, String platform, String path) {
        return simulator(bed, platform).requests(path);
    }

    private static double metric(WebhookServer server) throws Exception {
        return server.get("/metrics").body().lines().filter(l -> l.startsWith("cmis_credential_refreshes_on_read_total "))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.indexOf(' ') + 1))).sum();
    }
}
