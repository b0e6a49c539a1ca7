package io.cmis.platform.logging;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Optional;

/**
 * Keeps the details of unexpected errors (stack traces, masked) in {@code data.dir/logs/errors.log},
 * so the terminal gets one line and the engineer still gets the whole story.
 */
public final class CrashLog {
    private CrashLog() {
    }

    /** Appends the error and returns the file it went to, or empty when it could not be written. */
    public static Optional<Path> record(Path dataDir, String command, Throwable error) {
        if (dataDir == null) {
            return Optional.empty();
        }
        Path file = dataDir.resolve("logs").resolve("errors.log");
        StringWriter trace = new StringWriter();
        error.printStackTrace(new PrintWriter(trace));
        String entry = Instant.now() + " " + command + "\n" + trace + "\n";
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, SecretMasker.mask(entry), StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            return Optional.of(file);
        } catch (IOException | SecurityException e) {
            return Optional.empty();
        }
    }
}
