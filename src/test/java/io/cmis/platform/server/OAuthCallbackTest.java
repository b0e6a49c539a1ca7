package io.cmis.platform.server;

import io.cmis.platform.sandbox.Sandbox;
import io.cmis.platform.support.Browser;
import io.cmis.platform.support.CliRun;
import io.cmis.platform.support.OAuthUser;
import io.cmis.platform.support.PlatformTestBed;
import io.cmis.platform.support.WebhookServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * GET /oauth/start/{platform} and GET /oauth/callback/{platform}: a connect flow started for a browser
 * completes only in that browser. The attacks: an org sends a victim its authorization URL (or the
 * platform's redirect back) and hopes the victim's account lands in its org.
 */
class OAuthCallbackTest {
    private final String org = UUID.randomUUID().toString();
    private PlatformTestBed bed;
    private WebhookServer server;
    private CliRun cli;

    @BeforeEach
    void start() {
        bed = new PlatformTestBed();
        cli = bed.cli();
        server = new WebhookServer(bed);
    }

    @AfterEach
    void stop() {
        server.close();
        bed.close();
    }

    @Test
    void the_browser_that_opened_the_start_link_completes_the_flow_once_and_says_so_in_a_page() throws Exception {
        Browser user = new Browser();
        Browser.Landing landing = user.begin(cli, server, org, "google");
        assertThat(landing.setCookie()).as("bound to this browser, for one flow's lifetime")
                .startsWith("cmis_connect_").contains("; Max-Age=900; Path=/; HttpOnly; SameSite=Lax")
                .doesNotContain("Secure");

        HttpResponse<String> page = user.get(landing.callback());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("Connected").contains("is connected").doesNotContain(landing.code());
        assertThat(page.headers().allValues("set-cookie")).anyMatch(c -> c.contains("Max-Age=0"));
        assertThat(integrations()).contains("\"google\"");

        HttpResponse<String> reused = user.get(landing.callback());
        assertThat(reused.statusCode()).isEqualTo(400);
        assertThat(reused.body()).contains("already used");
    }

    @Test
    void an_authorization_url_sent_to_another_browser_is_refused_cancelled_and_stores_nothing() throws Exception {
        Browser attacker = new Browser();
        HttpResponse<String> started = attacker.open(server, Browser.startLink(cli, org, "meta"));
        URI authorization = URI.create(started.headers().firstValue("location").orElseThrow());

        Browser victim = new Browser(); // approves on the platform, which sends the victim's browser back
        Browser.Landing landing = victim.consent(server, authorization, "");
        HttpResponse<String> refused = victim.get(landing.callback());

        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(refused.body()).contains("started in another browser").contains("nothing was stored")
                .doesNotContain(landing.code());
        assertThat(integrations()).isEqualTo("[]");
        // The flow is cancelled: the code is worthless even to someone who gets hold of it afterwards.
        HttpResponse<String> later = attacker.get(landing.callback());
        assertThat(later.statusCode()).isEqualTo(400);
        assertThat(later.body()).contains("already used");
        CliRun.Result operator = cli.run("connect", "complete", "--state", landing.state(), "--code", landing.code());
        assertThat(operator.exitCode()).isEqualTo(2);
        assertThat(integrations()).isEqualTo("[]");
    }

    @Test
    void another_flows_cookie_does_not_complete_a_flow() throws Exception {
        Browser.Landing mine = new Browser().begin(cli, server, org, "meta");
        Browser.Landing other = new Browser().begin(cli, server, UUID.randomUUID().toString(), "meta");
        String myName = mine.setCookie().substring(0, mine.setCookie().indexOf('='));
        String otherValue = other.setCookie().substring(other.setCookie().indexOf('=') + 1,
                other.setCookie().indexOf(';'));

        HttpResponse<String> forged = HttpClient.newHttpClient().send(HttpRequest.newBuilder(mine.callback())
                .header("Cookie", myName + "=" + otherValue).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(forged.statusCode()).isEqualTo(403);
        assertThat(integrations()).isEqualTo("[]");
    }

    @Test
    void a_flow_started_on_the_command_line_is_not_completed_by_the_callback_but_stays_for_connect_complete()
            throws Exception {
        OAuthUser.Flow flow = OAuthUser.begin(cli, org, "meta"); // what the attack used: a plain authorization URL
        HttpResponse<String> page = server.get("/oauth/callback/meta?code=" + enc(flow.code()) + "&state="
                + enc(flow.state()));

        assertThat(page.statusCode()).isEqualTo(403);
        assertThat(page.body()).contains("started on the command line").contains("nothing was stored");
        assertThat(integrations()).isEqualTo("[]");
        cli.run("--json", "connect", "complete", "--state", flow.state(), "--code", flow.code()).ok();
        assertThat(integrations()).contains("\"meta\"");
    }

    @Test
    void a_browser_flow_is_not_completed_by_connect_complete() throws Exception {
        Browser.Landing landing = new Browser().begin(cli, server, org, "meta");

        CliRun.Result result = cli.run("connect", "complete", "--state", landing.state(), "--code", landing.code());

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.stderr()).contains("started for a browser");
        assertThat(integrations()).isEqualTo("[]");
    }

    @Test
    void a_start_link_opens_once_and_not_after_it_expires() throws Exception {
        URI link = Browser.startLink(cli, org, "meta");
        assertThat(new Browser().open(server, link).statusCode()).isEqualTo(302);
        HttpResponse<String> again = new Browser().open(server, link);
        assertThat(again.statusCode()).isEqualTo(400);
        assertThat(again.body()).contains("already opened");
        assertThat(again.headers().firstValue("set-cookie")).isEmpty();

        URI late = Browser.startLink(cli, org, "meta");
        bed.clock.advance(Duration.ofMinutes(2));
        assertThat(new Browser().open(server, late).statusCode()).isEqualTo(400);
        assertThat(new Browser().open(server, URI.create("http://x/oauth/start/meta?link=lmadeup")).statusCode())
                .isEqualTo(400);
    }

    @Test
    void over_https_the_cookie_is_secure_and_host_only_and_the_link_sits_beside_the_callback() throws Exception {
        cli.env("CMIS_META_REDIRECT_URIS", Sandbox.CALLBACK_BASE + "meta,"
                + "https://cmis.example/app/oauth/callback/meta,https://elsewhere.example/back");
        URI link = Browser.startLink(cli, org, "meta", "--redirect-uri", "https://cmis.example/app/oauth/callback/meta");
        assertThat(link.toString()).startsWith("https://cmis.example/app/oauth/start/meta?link=l");

        HttpResponse<String> start = new Browser().open(server, URI.create(link.toString().replace("/app/", "/")));
        assertThat(start.statusCode()).isEqualTo(302);
        assertThat(start.headers().firstValue("set-cookie").orElseThrow()).startsWith("__Host-cmis_connect_")
                .endsWith("; Path=/; HttpOnly; SameSite=Lax; Secure");
        assertThat(start.headers().firstValue("location").orElseThrow())
                .contains(enc("https://cmis.example/app/oauth/callback/meta"));

        CliRun.Result elsewhere = cli.run("connect", "start", "meta", "--org", org, "--browser", "--redirect-uri",
                "https://elsewhere.example/back");
        assertThat(elsewhere.exitCode()).isEqualTo(2);
        assertThat(elsewhere.stderr()).contains("--browser needs a redirect URI on serve's callback");
    }

    @Test
    void a_declined_or_broken_callback_stores_nothing_and_escapes_what_it_echoes() throws Exception {
        Browser user = new Browser();
        Browser.Landing landing = user.begin(cli, server, org, "meta");
        HttpResponse<String> declined = user.get(server.uri("/oauth/callback/meta?state=" + enc(landing.state())
                + "&error=access_denied&error_description=" + enc("<script>x</script>")));
        assertThat(declined.statusCode()).isEqualTo(400);
        assertThat(declined.body()).contains("access_denied").contains("&lt;script&gt;")
                .doesNotContain("<script>");
        assertThat(server.get("/oauth/callback/google?code=abc").statusCode()).isEqualTo(400);
        assertThat(server.get("/oauth/callback/myspace?code=a&state=b").statusCode()).isEqualTo(404);
        assertThat(server.get("/oauth/start/myspace?link=a").statusCode()).isEqualTo(404);
        assertThat(integrations()).isEqualTo("[]");
    }

    private String integrations() {
        return cli.run("--json", "integrations", "list").ok().stdout().replaceAll("\\s", "");
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
