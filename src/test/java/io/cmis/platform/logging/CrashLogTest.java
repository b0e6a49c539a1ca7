package io.cmis.platform.logging;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

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
    void an_unwritable_place_gives_nothing_rather_than_a_second_error() throws Exception {
        Path blocker = dataDir.resolve("file");
        Files.writeString(blocker, "x");
        assertThat(CrashLog.record(blocker, "x", new RuntimeException())).isEmpty();
        assertThat(CrashLog.record(null, "x", new RuntimeException())).isEmpty();
    }
}
