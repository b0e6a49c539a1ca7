package io.cmis.platform.cli;

import io.cmis.platform.support.CliProcess;
import io.cmis.platform.support.CliRun;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

class SandboxCommandTest {
    @Test
    void prints_the_variables_that_point_at_live_simulators_and_stops_on_sigterm() throws Exception {
        CliProcess sandbox = CliProcess.start(Map.of(), "sandbox", "--port-base", "0");
        sandbox.awaitOutput("sandbox running");

        CliRun.Result printed = printedSoFar(sandbox);
        Matcher tiktok = Pattern.compile("export CMIS_TIKTOK_API_URL=(\\S+)").matcher(printed.stdout());
        assertThat(tiktok.find()).as(printed.stdout()).isTrue();
        assertThat(printed.stdout()).contains("export CMIS_META_GRAPH_URL=http://127.0.0.1:")
                .contains("export CMIS_GOOGLE_TOKEN_URL=http://127.0.0.1:");

        HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(tiktok.group(1) + "/open_api/v1.3/oauth2/advertiser/get/")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.body()).contains("\"code\":40104");

        sandbox.process().toHandle().destroy();
        assertThat(sandbox.finish().exitCode()).isIn(0, 143);
    }

    @Test
    void a_bad_port_base_is_a_usage_error() {
        CliRun.Result result = CliRun.withoutDatabase().run("sandbox", "--port-base", "80");
        assertThat(result.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(result.stderr()).contains("--port-base must be 0 or from 1024 to 65530");
    }

    private static CliRun.Result printedSoFar(CliProcess process) {
        return new CliRun.Result(0, process.output(), "");
    }
}
