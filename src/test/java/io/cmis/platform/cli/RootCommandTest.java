package io.cmis.platform.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.cmis.platform.support.CliRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The command line itself: help, version, global options, configuration errors. */
class RootCommandTest {
    @TempDir
    Path dir;

    @Test
    void help_lists_only_working_commands_and_the_exit_codes() {
        CliRun.Result help = CliRun.withoutDatabase().run("--help").ok();
        assertThat(help.stdout()).contains("db", "integrations", "tokens", "config", "Exit codes");
        assertThat(CliRun.withoutDatabase().run("integrations", "add", "--help").ok().stdout())
                .contains("--access-token", "--external-id", "--expires-in");
    }

    @Test
    void version_prints_the_tool_name() {
        assertThat(CliRun.withoutDatabase().run("--version").ok().stdout()).startsWith("cmis-platform ");
    }

    @Test
    void no_command_is_a_usage_error() {
        CliRun.Result result = CliRun.withoutDatabase().run();
        assertThat(result.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(result.stderr()).contains("name a command");
    }

    @Test
    void config_show_masks_secrets_and_names_each_source() throws Exception {
        Path file = dir.resolve("prod.properties");
        Files.writeString(file, "meta.client-id=12345\n");

        CliRun.Result shown = CliRun.withoutDatabase().env("CMIS_META_CLIENT_SECRET", "app-secret-value")
                .run("config", "show", "--config", file.toString(), "--json").ok();

        JsonNode json = Json.MAPPER.readTree(shown.stdout());
        assertThat(json.get("meta.client-secret").get("value").asText()).isEqualTo("****");
        assertThat(json.get("meta.client-secret").get("source").asText()).isEqualTo("CMIS_META_CLIENT_SECRET");
        assertThat(json.get("meta.client-id").get("value").asText()).isEqualTo("12345");
        assertThat(json.get("meta.client-id").get("source").asText()).isEqualTo("file");
        assertThat(json.get("http.timeout").get("source").asText()).isEqualTo("default");
        assertThat(shown.all()).doesNotContain("app-secret-value");

        CliRun.Result table = CliRun.withoutDatabase().env("CMIS_META_CLIENT_SECRET", "app-secret-value")
                .run("config", "show").ok();
        assertThat(table.stdout()).contains("meta.client-secret", "****").doesNotContain("app-secret-value");
    }

    @Test
    void config_show_names_the_build_and_cmis_config_names_the_file_unless_config_is_given() throws Exception {
        Path viaEnvironment = dir.resolve("env.properties");
        Files.writeString(viaEnvironment, "meta.client-id=from-cmis-config\n");
        Path viaOption = dir.resolve("option.properties");
        Files.writeString(viaOption, "meta.client-id=from-option\n");

        JsonNode json = Json.MAPPER.readTree(CliRun.withoutDatabase().env("CMIS_CONFIG", viaEnvironment.toString())
                .run("config", "show", "--json").ok().stdout());
        assertThat(json.at("/meta.client-id/value").asText()).isEqualTo("from-cmis-config");
        io.cmis.platform.config.BuildInfo build = io.cmis.platform.config.BuildInfo.current();
        assertThat(json.at("/build.version/value").asText()).isEqualTo(build.version()).isNotBlank();
        assertThat(json.at("/build.commit/value").asText()).isEqualTo(build.commit());
        assertThat(json.at("/build.time/source").asText()).isEqualTo("build");

        JsonNode overridden = Json.MAPPER.readTree(CliRun.withoutDatabase().env("CMIS_CONFIG", viaEnvironment.toString())
                .run("config", "show", "--json", "--config", viaOption.toString()).ok().stdout());
        assertThat(overridden.at("/meta.client-id/value").asText()).isEqualTo("from-option");

        CliRun.Result missing = CliRun.withoutDatabase().env("CMIS_CONFIG", dir.resolve("absent").toString())
                .run("config", "show");
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.stderr()).contains("does not exist");
    }

    @Test
    void configuration_mistakes_are_one_line_and_exit_2() throws Exception {
        Path typo = dir.resolve("typo.properties");
        Files.writeString(typo, "databse.url=jdbc:postgresql://db/cmis\n");

        assertUsage(CliRun.withoutDatabase().run("--config", dir.resolve("missing.properties").toString(),
                "integrations", "list"), "does not exist");
        assertUsage(CliRun.withoutDatabase().run("integrations", "list", "--config", typo.toString()),
                "did you mean 'database.url'");
        assertUsage(CliRun.withoutDatabase().env("CMIS_DATABASE_URL", "mysql://db/cmis").run("integrations", "list"),
                "database.url");
        assertUsage(CliRun.withoutDatabase().env("CMIS_DATABASE_URL", "jdbc:postgresql://127.0.0.1:5432/cmis")
                .run("integrations", "list"), "encryption.keys");
    }

    @Test
    void an_unreachable_database_is_one_line_exit_2_without_its_password() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        CliRun.Result result = CliRun.withoutDatabase()
                .env("CMIS_DATABASE_URL", "jdbc:postgresql://127.0.0.1:" + closedPort + "/cmis?password=hunter2")
                .env("CMIS_ENCRYPTION_KEYS", io.cmis.platform.support.TestKeys.K1)
                .run("integrations", "list");

        assertUsage(result, "cannot connect to the database");
        assertThat(result.stderr()).contains("refused").doesNotContain("hunter2");
    }

    @Test
    void a_malformed_database_url_is_one_line_exit_2() {
        CliRun.Result result = CliRun.withoutDatabase()
                .env("CMIS_DATABASE_URL", "jdbc:postgresql://127.0.0.1:notaport/cmis")
                .env("CMIS_ENCRYPTION_KEYS", io.cmis.platform.support.TestKeys.K1)
                .run("integrations", "list");
        assertUsage(result, "database");
    }

    private static void assertUsage(CliRun.Result result, String text) {
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.USAGE);
        assertThat(result.stderr()).as(result.toString()).contains(text).doesNotContain("\tat ");
        assertThat(result.stderr().strip().lines()).as(result.toString()).hasSize(1);
    }
}
