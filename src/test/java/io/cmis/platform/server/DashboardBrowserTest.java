package io.cmis.platform.server;

import io.cmis.platform.support.PlatformTestBed;
import io.cmis.platform.support.WebhookServer;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The dashboard in a real headless browser (Debian's chromium; {@code .ci/run} installs it): the page
 * loads with seeded data, the browser's DOM shows the expected numbers, and a screenshot is written
 * to {@code target/dashboard.png} (desktop) and {@code target/dashboard-phone.png}.
 */
class DashboardBrowserTest {

    @Test
    void the_dashboard_renders_in_chromium_with_the_seeded_numbers() throws Exception {
        Path chromium = Path.of("/usr/bin/chromium");
        assumeTrue(Files.isExecutable(chromium), "chromium is not installed (.ci/run installs it)");
        try (PlatformTestBed bed = new PlatformTestBed(); WebhookServer server = new WebhookServer(bed)) {
            ServeHealthTest.seedDashboard(bed);
            String url = server.uri("/").toString();

            String dom = run(chromium, "--dump-dom", url);
            assertThat(dom).contains("id=\"overall\"").contains(">critical<")
                    .contains("Acme Ads").contains("token revoked by the user &lt;script&gt;")
                    .contains("the forward URL answered HTTP 410")
                    .contains("12 calls, 75.0% ok")
                    .contains("<polyline");

            Path desktop = Path.of("target", "dashboard.png").toAbsolutePath();
            Path phone = Path.of("target", "dashboard-phone.png").toAbsolutePath();
            Files.deleteIfExists(desktop);
            Files.deleteIfExists(phone);
            run(chromium, "--screenshot=" + desktop, "--window-size=1280,1000", url);
            run(chromium, "--screenshot=" + phone, "--window-size=390,1600", url);
            for (Path shot : List.of(desktop, phone)) {
                byte[] png = Files.readAllBytes(shot);
                assertThat(png.length).as(shot + " has content").isGreaterThan(10_000);
                assertThat(new String(png, 1, 3, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("PNG");
            }
        }
    }

    private static String run(Path chromium, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(chromium.toString(), "--headless", "--no-sandbox",
                "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--hide-scrollbars",
                "--user-data-dir=" + Files.createTempDirectory("chromium")));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor(90, TimeUnit.SECONDS)).as("chromium finished").isTrue();
        assertThat(p.exitValue()).as("chromium exit code").isZero();
        return out;
    }
}
