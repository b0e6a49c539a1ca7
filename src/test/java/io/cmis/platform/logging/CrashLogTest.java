package io.cmis.platform.logging;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;

class CrashLogTest {
    @TempDir
    Path dataDir;

    @Test
    void records_the_stack_trace_masked_and_appends() throws Exception {
        Path file = CrashLog.record(dataDir, "integrations add",
                new IllegalStateException("boom with ya29.a0secretsecretsecret")).orElseThrow();
        CrashLog.record(dataDir, "integrations list", new IllegalStateException("second"));

        String text = Files.readString(file);
        assertThat(file).isEqualTo(dataDir.resolve("logs/errors.log"));
        assertThat(text).contains("integrations add").contains("ya29.****").contains("at io.cmis")
                .contains("second").doesNotContain("a0secret");
    }

    @Test
    void the_crash_log_is_the_owners_alone_in_a_data_dir_it_made_private() throws Exception {
        Path fresh = dataDir.resolve("var-lib-cmis");

        Path file = CrashLog.record(fresh, "sync", new IllegalStateException("boom")).orElseThrow();

        assertThat(mode(file)).isEqualTo("rw-------");
        assertThat(mode(fresh.resolve("logs"))).isEqualTo("rwx------");
        assertThat(mode(fresh)).as("the data dir the crash log had to make").isEqualTo("rwx------");
    }

    @Test
    void an_errors_log_an_older_version_left_world_readable_is_narrowed_and_kept() throws Exception {
        Path logs = Files.createDirectories(dataDir.resolve("logs"));
        Files.setPosixFilePermissions(dataDir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(logs, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path file = Files.writeString(logs.resolve("errors.log"), "older entry\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

        CrashLog.record(dataDir, "tokens refresh", new IllegalStateException("newer entry"));

        assertThat(Files.readString(file)).contains("older entry").contains("newer entry");
        assertThat(mode(file)).isEqualTo("rw-------");
        assertThat(mode(logs)).isEqualTo("rwx------");
        assertThat(mode(dataDir)).as("a data dir the operator made is theirs to set").isEqualTo("rwxr-xr-x");
    }

    private static String mode(Path path) throws java.io.IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }

    @Test
    void an_unwritable_place_gives_nothing_rather_than_a_second_error() throws Exception {
        Path blocker = dataDir.resolve("file");
        Files.writeString(blocker, "x");
        assertThat(CrashLog.record(blocker, "x", new RuntimeException())).isEmpty();
        assertThat(CrashLog.record(null, "x", new RuntimeException())).isEmpty();
    }
}
