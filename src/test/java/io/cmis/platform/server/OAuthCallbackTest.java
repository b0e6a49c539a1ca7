package io.cmis.platform.server;

import io.cmis.platform.support.CliRun;
import io.cmis.platform.support.OAuthUser;
import io.cmis.platform.support.PlatformTestBed;
import io.cmis.platform.support.WebhookServer;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** GET /oauth/callback/{platform}: where the platform sends the user back, completing the connect flow. */
class OAuthCallbackTest {

    @Test
    void the_callback_completes_the_flow_once_and_says_so_in_a_page() throws Exception {
        try (PlatformTestBed bed = new PlatformTestBed(); WebhookServer server = new WebhookServer(bed)) {
            CliRun cli = bed.cli();
            String org = UUID.randomUUID().toString();
            OAuthUser.Flow flow = OAuthUser.begin(cli, org, "meta");
            String path = "/oauth/callback/meta?code=" + enc(flow.code()) + "&state=" + enc(flow.state());

            HttpResponse<String> page = server.get(path);
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.body()).contains("Connected").contains("is connected").doesNotContain(flow.code());
            assertThat(cli.run("--json", "integrations", "list", "--org", org).ok().stdout()).contains("\"meta\"");

            HttpResponse<String> reused = server.get(path);
            assertThat(reused.statusCode()).isEqualTo(400);
            assertThat(reused.body()).contains("already used");
        }
    }

    @Test
    void a_declined_or_broken_callback_stores_nothing_and_escapes_what_it_echoes() throws Exception {
        try (PlatformTestBed bed = new PlatformTestBed(); WebhookServer server = new WebhookServer(bed)) {
            CliRun cli = bed.cli();
            String org = UUID.randomUUID().toString();
            OAuthUser.Flow flow = OAuthUser.begin(cli, org, "google");
            HttpResponse<String> declined = server.get("/oauth/callback/google?state=" + enc(flow.state())
                    + "&error=access_denied&error_description=" + enc("<script>x</script>"));
            assertThat(declined.statusCode()).isEqualTo(400);
            assertThat(declined.body()).contains("access_denied").contains("&lt;script&gt;")
                    .doesNotContain("<script>");
            assertThat(server.get("/oauth/callback/google?code=abc").statusCode()).isEqualTo(400);
            assertThat(server.get("/oauth/callback/myspace?code=a&state=b").statusCode()).isEqualTo(404);
            assertThat(cli.run("--json", "integrations", "list", "--org", org).ok().stdout().replaceAll("\\s", "")).isEqualTo("[]");
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
