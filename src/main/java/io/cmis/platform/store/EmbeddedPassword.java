package io.cmis.platform.store;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Base64;
import java.util.Properties;
import java.util.Set;

/**
 * The embedded server's superuser password: 256 random bits in {@code data.dir/postgres.password},
 * readable by the account that owns the data dir only (0600 in a 0700 directory), and
 * {@code pg_hba.conf} allowing SCRAM logins only. Before this, the cluster trusted every login on
 * 127.0.0.1, so any account on the host was its superuser.
 */
final class EmbeddedPassword {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedPassword.class);
    static final String FILE = "postgres.password";
    /** In the cluster directory once its superuser has the password and its hba file trusts nobody. */
    static final String SECURED_MARKER = "cmis-password-auth";
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    private static final SecureRandom RANDOM = new SecureRandom();

    /** Every login needs the password; there is no Unix socket, the lines for one are for completeness. */
    static final String HBA = """
            # Written by cmis-platform at every start of its embedded server: password (SCRAM) logins only,
            # from this host only. The password is in postgres.password next to this cluster (mode 0600).
            local   all   all                 scram-sha-256
            host    all   all   127.0.0.1/32  scram-sha-256
            """;

    private final Path file;
    private final String value;

    private EmbeddedPassword(Path file, String value) {
        this.file = file;
        this.value = value;
    }

    /** The password of {@code dataDir}, made once. Called under the start/stop lock, so never by two processes at once. */
    static EmbeddedPassword readOrCreate(Path dataDir) throws IOException {
        Path file = dataDir.resolve(FILE);
        if (!Files.exists(file)) {
            byte[] bytes = new byte[32];
            RANDOM.nextBytes(bytes);
            Path partial = Files.createTempFile(dataDir, ".postgres.password", ".tmp", ownerOnlyAttribute());
            Files.writeString(partial, Base64.getUrlEncoder().withoutPadding().encodeToString(bytes));
            Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE);
        }
        restrict(file);
        String value = Files.readString(file).trim();
        if (value.length() < 32) {
            throw new IOException(file + " does not hold the embedded database's password; restore it from a "
                    + "backup of data.dir, or move data.dir away to start afresh");
        }
        return new EmbeddedPassword(file, value);
    }

    Path file() {
        return file;
    }

    String value() {
        return value;
    }

    /** Before a start: an already secured cluster gets the hba file again (it may have been edited or restored). */
    void writeHbaIfSecured(Path cluster) {
        if (Files.exists(cluster.resolve(SECURED_MARKER))) {
            writeHba(cluster);
        }
    }

    /**
     * After a start, once per cluster: the superuser gets the password (a cluster made by an older
     * version trusted every local login and had none) and the SCRAM-only hba file, reloaded at once,
     * so nothing trusts a login afterwards.
     */
    void secure(Path cluster, int port) {
        Path marker = cluster.resolve(SECURED_MARKER);
        if (Files.exists(marker)) {
            return;
        }
        try {
            // An old cluster trusts this login whatever the password; a new one checks it. Either way
            // the password is (re)set: the driver sends a SCRAM verifier computed here, never the password.
            try (Connection connection = login(port, value)) {
                connection.unwrap(org.postgresql.PGConnection.class)
                        .alterUserPassword("postgres", value.toCharArray(), "scram-sha-256");
                writeHba(cluster);
                try (Statement reload = connection.createStatement()) {
                    // Settings someone may have planted with ALTER SYSTEM while every login was trusted
                    // (an archive_command runs programs); the tool passes its own on the command line.
                    reload.execute("ALTER SYSTEM RESET ALL");
                    reload.execute("SELECT pg_reload_conf()");
                    // Sessions that logged in under the old trust would outlive the reload.
                    reload.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                            + "WHERE pid <> pg_backend_pid() AND backend_type = 'client backend'");
                }
            }
            Files.writeString(marker, "");
        } catch (SQLException | IOException e) {
            throw new DatabaseUnavailableException("cannot secure the embedded database in " + cluster + ": "
                    + e.getMessage() + "; if it already has a password, restore " + file + " from a backup of data.dir");
        }
    }

    private static Connection login(int port, String password) throws SQLException {
        Properties login = new Properties();
        login.setProperty("user", "postgres");
        login.setProperty("password", password);
        login.setProperty("connectTimeout", "5");
        return new org.postgresql.Driver().connect("jdbc:postgresql://127.0.0.1:" + port + "/postgres", login);
    }

    private static void writeHba(Path cluster) {
        try {
            Path partial = Files.createTempFile(cluster, ".pg_hba", ".tmp", ownerOnlyAttribute());
            Files.writeString(partial, HBA);
            Files.move(partial, cluster.resolve("pg_hba.conf"), StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new DatabaseUnavailableException("cannot write " + cluster.resolve("pg_hba.conf") + ": " + e.getMessage());
        }
    }

    private static void restrict(Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(file, OWNER_ONLY);
        } catch (UnsupportedOperationException ignored) {
            // not a POSIX file system
        }
    }

    private static java.nio.file.attribute.FileAttribute<?>[] ownerOnlyAttribute() {
        try {
            return new java.nio.file.attribute.FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY)};
        } catch (UnsupportedOperationException e) {
            return new java.nio.file.attribute.FileAttribute<?>[0];
        }
    }
}
