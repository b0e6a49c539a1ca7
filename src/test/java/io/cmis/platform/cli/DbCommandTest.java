package io.cmis.platform.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.cmis.platform.store.Schema;
import io.cmis.platform.support.CliRun;
import io.cmis.platform.support.TestPostgres;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class DbCommandTest {
    @Test
    void status_reports_an_unmigrated_database_then_migrate_fixes_it() throws Exception {
        CliRun cli = CliRun.against(TestPostgres.emptyDatabase());

        CliRun.Result before = cli.run("db", "status");
        assertThat(before.exitCode()).isEqualTo(ExitCodes.SOME_FAILED);
        assertThat(before.stdout()).contains("schema version none").contains("run 'cmis-platform db migrate'");

        JsonNode migrated = Json.MAPPER.readTree(cli.run("db", "migrate", "--json").ok().stdout());
        assertThat(migrated.get("schema_version").asInt()).isEqualTo(Schema.EXPECTED_VERSION);
        // One per migration file: versions may leave gaps (a number reserved by a parallel branch).
        assertThat(migrated.get("migrations_applied").asInt()).isEqualTo(migrationFiles());

        JsonNode after = Json.MAPPER.readTree(cli.run("--json", "db", "status").ok().stdout());
        assertThat(after.get("up_to_date").asBoolean()).isTrue();
        assertThat(after.get("embedded").asBoolean()).isFalse();
        assertThat(cli.run("db", "status").ok().stdout()).contains("(up to date)");
    }

    @Test
    void verbose_adds_the_stack_trace_still_masked() {
        CliRun.Result result = CliRun.withoutDatabase()
                .env("CMIS_DATABASE_URL", "jdbc:postgresql://127.0.0.1:1/cmis?password=EAAsecretsecretsecret")
                .env("CMIS_ENCRYPTION_KEYS", io.cmis.platform.support.TestKeys.K1)
                .run("-v", "integrations", "list");

        assertThat(result.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(result.stderr()).contains("\tat io.cmis").doesNotContain("EAAsecretsecretsecret");
    }

    private static int migrationFiles() throws java.io.IOException {
        try (var files = java.nio.file.Files.list(java.nio.file.Path.of("src/main/resources/db/migration"))) {
            return (int) files.filter(f -> f.getFileName().toString().matches("V\\d+__.*\\.sql")).count();
        }
    }
}
