package io.cmis.platform.store;

import io.cmis.platform.support.TestPostgres;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SchemaTest {
    @Test
    void the_expected_version_is_the_newest_migration_file() throws Exception {
        Pattern versioned = Pattern.compile("V(\\d+)__.+\\.sql");
        int newest = 0;
        try (var files = Files.list(Path.of("src/main/resources/db/migration"))) {
            for (Path file : files.toList()) {
                Matcher m = versioned.matcher(file.getFileName().toString());
                if (m.matches()) {
                    newest = Math.max(newest, Integer.parseInt(m.group(1)));
                }
            }
        }
        assertThat(Schema.EXPECTED_VERSION).isEqualTo(newest);
    }

    /** How many versioned migrations there are (their numbers may leave gaps). */
    static int migrationFiles() throws java.io.IOException {
        try (var files = Files.list(Path.of("src/main/resources/db/migration"))) {
            return (int) files.filter(f -> f.getFileName().toString().matches("V\\d+__.*\\.sql")).count();
        }
    }

    @Test
    void an_unmigrated_database_is_refused_with_the_command_that_fixes_it() {
        Jdbi jdbi = TestPostgres.superuser(TestPostgres.emptyDatabase());

        assertThat(Schema.currentVersion(jdbi)).isEmpty();
        assertThatThrownBy(() -> Schema.requireCurrent(jdbi))
                .isInstanceOf(SchemaMismatchException.class)
                .hasMessageContaining("cmis-platform db migrate");
    }

    @Test
    void a_schema_migrated_by_a_newer_build_is_refused() {
        String db = TestPostgres.freshDatabase();
        Jdbi jdbi = TestPostgres.superuser(db);
        jdbi.useHandle(h -> h.execute("""
                INSERT INTO cmis_platform.flyway_schema_history
                       (installed_rank, version, description, type, script, installed_by, execution_time, success)
                VALUES (99, '99', 'future', 'SQL', 'V99__future.sql', 'test', 1, true)"""));

        assertThatThrownBy(() -> Schema.requireCurrent(jdbi))
                .isInstanceOf(SchemaMismatchException.class)
                .hasMessageContaining("newer than this build")
                .hasMessageContaining("upgrade cmis-platform");
    }

    @Test
    void migrating_twice_and_from_two_processes_at_once_is_safe() throws Exception {
        String db = TestPostgres.emptyDatabase();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<Integer>> runs = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                Callable<Integer> migrate = () -> Schema.migrate(TestPostgres.dataSource(db, "postgres")).migrationsExecuted;
                runs.add(pool.submit(migrate));
            }
            int applied = 0;
            for (Future<Integer> run : runs) {
                applied += run.get();
            }
            assertThat(applied).as("every migration applied once, by one of the two").isEqualTo(migrationFiles());
        } finally {
            pool.shutdownNow();
        }
        assertThat(Schema.migrate(TestPostgres.dataSource(db, "postgres")).migrationsExecuted).isZero();
        assertThat(Schema.currentVersion(TestPostgres.superuser(db))).contains(Schema.EXPECTED_VERSION);
    }
}
