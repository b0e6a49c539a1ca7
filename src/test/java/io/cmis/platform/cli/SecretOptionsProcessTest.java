package io.cmis.platform.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.cmis.platform.sandbox.GoogleSimulator;
import io.cmis.platform.support.CliProcess;
import io.cmis.platform.support.CliRun;
import io.cmis.platform.support.OAuthUser;
import io.cmis.platform.support.PlatformTestBed;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Secret options given as {@code -} (stdin) or {@code env:NAME}: the real command runs as its own process
 * and neither its command line ({@code /proc/PID/cmdline}, {@code ps}) nor its output shows the secret,
 * while the command does its work with it.
 */
class SecretOptionsProcessTest {
    private final PlatformTestBed bed = new PlatformTestBed();
    private final String org = UUID.randomUUID().toString();

    @AfterEach
    void close() {
        bed.close();
    }

    @Test
    void integrations_add_takes_the_access_token_from_the_environment_and_the_refresh_token_from_stdin() throws Exception {
        String[] tokens = bed.sandbox.google().issueTokens();
        Map<String, String> env = new HashMap<>(bed.processEnvironment());
        env.put("GOOGLE_ACCESS_TOKEN", tokens[0]);
        CliProcess add = CliProcess.start(env, "--json", "integrations", "add", "google", "--org", org,
                "--access-token", "env:GOOGLE_ACCESS_TOKEN", "--refresh-token", "-", "--expires-in", "3599");
        add.awaitOutput("reading the refresh token from stdin");

        String seen = commandLineOf(add.process());
        assertThat(seen).contains("integrations", "env:GOOGLE_ACCESS_TOKEN").doesNotContain(tokens[0])
                .doesNotContain(tokens[1]);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(
                Path.of("/proc", String.valueOf(add.process().pid()), "environ"))))
                .as("the environment is readable by the process's own user only").isEqualTo("r--------");
        add.send(tokens[1]);

        CliRun.Result added = add.finish();
        assertThat(added.exitCode()).as(added.toString()).isZero();
        assertThat(added.stdout()).doesNotContain(tokens[0]).doesNotContain(tokens[1]);
        JsonNode integration = io.cmis.platform.cli.Json.MAPPER.readTree(
                added.stdout().substring(added.stdout().indexOf('{')));
        assertThat(integration.get("external_account_id").asText()).as("Google knew the access token")
                .isEqualTo(GoogleSimulator.SUBJECT);
        CliRun.Result refreshed = bed.cli().run("--json", "tokens", "refresh", "--within", "30d");
        assertThat(refreshed.exitCode()).as("Google took the refresh token: " + refreshed).isZero();
        assertThat(refreshed.stdout()).contains("\"succeeded\" : 1").contains("\"outcome\" : \"refreshed\"");
    }

    @Test
    void connect_complete_takes_the_state_from_the_environment_and_the_code_from_stdin() throws Exception {
        OAuthUser.Flow flow = OAuthUser.begin(bed.cli().clock(Clock.systemUTC()), org, "google");
        Map<String, String> env = new HashMap<>(bed.processEnvironment());
        env.put("OAUTH_STATE", flow.state());
        CliProcess complete = CliProcess.start(env, "connect", "complete", "--state", "env:OAUTH_STATE",
                "--code", "-");
        complete.awaitOutput("reading the code from stdin");

        String seen = commandLineOf(complete.process());
        assertThat(seen).contains("complete", "env:OAUTH_STATE").doesNotContain(flow.state())
                .doesNotContain(flow.code());
        complete.send(flow.code());

        CliRun.Result done = complete.finish();
        assertThat(done.exitCode()).as(done.toString()).isZero();
        assertThat(done.stdout()).contains("connected google account " + GoogleSimulator.SUBJECT)
                .doesNotContain(flow.code());
    }

    @Test
    void both_from_stdin_read_successive_lines_and_a_missing_variable_is_a_usage_error() throws Exception {
        OAuthUser.Flow flow = OAuthUser.begin(bed.cli().clock(Clock.systemUTC()), org, "google");
        CliProcess complete = CliProcess.start(bed.processEnvironment(), "connect", "complete", "--state", "-",
                "--code", "-");
        complete.awaitOutput("reading the state from stdin");
        assertThat(commandLineOf(complete.process())).doesNotContain(flow.state());
        complete.send(flow.state());
        complete.awaitOutput("reading the code from stdin");
        complete.send(flow.code());
        assertThat(complete.finish().exitCode()).isZero();

        CliRun.Result missing = bed.cli().run("connect", "complete", "--state", "env:NOT_SET_ANYWHERE", "--code", "x");
        assertThat(missing.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(missing.stderr().strip().lines()).hasSize(1);
        assertThat(missing.stderr()).contains("--state env:NOT_SET_ANYWHERE: the environment variable "
                + "NOT_SET_ANYWHERE is not set or empty");
    }

    /** What every user of the host sees of a process: /proc/PID/cmdline and ps. */
    private static String commandLineOf(Process process) throws Exception {
        String cmdline = new String(Files.readAllBytes(Path.of("/proc", String.valueOf(process.pid()), "cmdline")),
                StandardCharsets.UTF_8).replace('\0', ' ');
        Process ps = new ProcessBuilder("ps", "-ww", "-o", "args=", "-p", String.valueOf(process.pid()))
                .redirectErrorStream(true).start();
        String listed = new String(ps.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(ps.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(listed).as("ps lists the running command").contains("io.cmis.platform.Main");
        return cmdline + "\n" + listed;
    }
}
