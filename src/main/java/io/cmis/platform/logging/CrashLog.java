package io.cmis.platform.logging;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * Keeps the details of unexpected errors (stack traces, masked) in {@code data.dir/logs/errors.log},
 * so the terminal gets one line and the engineer still gets the whole story. The file is the owner's
 * alone (0600, in 0700 directories when this creates them): a stack trace tells other users of the host
 * more than they need, masked or not.
 */
public final class CrashLog {
    private static final Set<PosixFilePermission> OWNER_FILE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> OWNER_DIR = PosixFilePermissions.fromString("rwx------");

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
            createPrivate(file);
            Files.writeString(file, SecretMasker.mask(entry), StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            return Optional.of(file);
        } catch (IOException | SecurityException e) {
            return Optional.empty();
        }
    }

    /** Directories made 0700, the file made 0600; a file left 0644 by an older version is narrowed too. */
    private static void createPrivate(Path file) throws IOException {
        if (!FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            Files.createDirectories(file.getParent());
            return;
        }
        Files.createDirectories(file.getParent(), PosixFilePermissions.asFileAttribute(OWNER_DIR));
        Files.setPosixFilePermissions(file.getParent(), OWNER_DIR);
        if (Files.notExists(file)) {
            FileAttribute<Set<PosixFilePermission>> owner = PosixFilePermissions.asFileAttribute(OWNER_FILE);
            try {
                Files.createFile(file, owner);
            } catch (java.nio.file.FileAlreadyExistsException raced) {
                // another command made it first
            }
        }
        Files.setPosixFilePermissions(file, OWNER_FILE);
    }
}
