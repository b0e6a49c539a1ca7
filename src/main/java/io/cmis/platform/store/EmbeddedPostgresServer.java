package io.cmis.platform.store;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The embedded default: one real PostgreSQL server per {@code data.dir}, shared by every command
 * that runs at the same time (a {@code serve} and a cron job, say).
 *
 * <p>Two lock files coordinate the processes. {@code postgres.lock} is held briefly while a process
 * starts or stops the server, so only one does either at a time. {@code postgres.users} is held
 * <em>shared</em> by every process using the server for as long as it uses it; a process leaving
 * stops the server only if it can then take that lock exclusively, that is when it was the last
 * user. The OS drops the locks of a killed process, so a kill never leaves the next run stuck: it
 * finds the server still running and reuses it, or finds it gone and starts it.
 *
 * <p>Nobody logs in without the password: every other account on the host can reach 127.0.0.1, and
 * a superuser login there reads {@code encryption.key} with {@code pg_read_file} and runs programs
 * with {@code COPY ... TO PROGRAM}. See {@link EmbeddedPassword}.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgresServer.class);
    private static final String INITIALIZED_MARKER = "cmis-initialized";
    private static final Duration LOCK_WAIT = Duration.ofSeconds(120);
    private static final Duration STARTUP_WAIT = Duration.ofSeconds(60);
    private static final Duration STOP_WAIT = Duration.ofSeconds(30);

    private final Path dataDir;
    private final Path clusterDir;
    private final FileChannel users;
    private final FileLock usersLock;
    private final int port;
    private final String password;
    private boolean closed;

    private EmbeddedPostgresServer(Path dataDir, FileChannel users, FileLock usersLock, int port, String password) {
        this.dataDir = dataDir;
        this.clusterDir = clusterDir(dataDir);
        this.users = users;
        this.usersLock = usersLock;
        this.port = port;
        this.password = password;
    }

    /** Joins the server under {@code dataDir}, starting it (and creating the cluster) when none runs. */
    public static EmbeddedPostgresServer acquire(Path dataDir) {
        try {
            createPrivateDirectory(dataDir);
            try (FileChannel mutexChannel = open(dataDir.resolve("postgres.lock"));
                 FileLock ignored = lock(mutexChannel, false)) {
                FileChannel users = open(dataDir.resolve("postgres.users"));
                FileLock shared = lock(users, true);
                try {
                    EmbeddedPassword password = EmbeddedPassword.readOrCreate(dataDir);
                    int port = runningPort(clusterDir(dataDir)).orElseGet(() -> start(dataDir, password));
                    password.secure(clusterDir(dataDir), port);
                    return new EmbeddedPostgresServer(dataDir, users, shared, port, password.value());
                } catch (RuntimeException e) {
                    shared.release();
                    users.close();
                    throw e;
                }
            }
        } catch (IOException e) {
            throw new DatabaseUnavailableException("cannot use the embedded database under " + dataDir + ": "
                    + e.getMessage() + "; check that data.dir is writable");
        }
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    }

    public String user() {
        return "postgres";
    }

    /** The superuser's password, from {@code data.dir/postgres.password} (0600). */
    public String password() {
        return password;
    }

    public int port() {
        return port;
    }

    /** Leaves the server; the last process to leave stops it. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try (FileChannel mutexChannel = open(dataDir.resolve("postgres.lock"));
             FileLock ignored = lock(mutexChannel, false)) {
            usersLock.release();
            FileLock exclusive = users.tryLock();
            if (exclusive != null) {
                try {
                    stop(clusterDir);
                } finally {
                    exclusive.release();
                }
            }
        } catch (IOException e) {
            log.warn("could not stop the embedded database cleanly: {}", e.getMessage());
        } finally {
            try {
                users.close();
            } catch (IOException ignored) {
                // closing releases the lock either way
            }
        }
    }

    static Path clusterDir(Path dataDir) {
        return dataDir.resolve("postgres");
    }

    private static int start(Path dataDir, EmbeddedPassword password) {
        Path cluster = clusterDir(dataDir);
        if (Files.isDirectory(cluster) && !Files.exists(cluster.resolve(INITIALIZED_MARKER))) {
            // A run killed while creating the cluster leaves it half made; nothing in it is worth keeping.
            log.warn("removing the unfinished embedded database in {}", cluster);
            deleteRecursively(cluster);
        }
        boolean firstRun = !Files.exists(cluster);
        int port = freePort();
        try {
            EmbeddedPostgres.builder()
                    .setDataDirectory(cluster)
                    .setCleanDataDirectory(false)
                    .setPort(port)
                    .setRegisterShutdownHook(false)
                    .setPGStartupWait(STARTUP_WAIT)
                    // A new cluster is created with SCRAM logins only and the password from the start
                    // (initdb's later --auth overrides the library's "-A trust"); an old one gets them in
                    // EmbeddedPassword.secure. No Unix socket: the binaries' default directory is /tmp.
                    .setLocaleConfig("auth", "scram-sha-256")
                    .setLocaleConfig("pwfile", password.file().toString())
                    .setConnectConfig("password", password.value())
                    .setDataDirectoryCustomizer(dir -> password.writeHbaIfSecured(dir.toPath()))
                    .setServerConfig("unix_socket_directories", "")
                    .setServerConfig("password_encryption", "scram-sha-256")
                    .setServerConfig("listen_addresses", "127.0.0.1")
                    .setServerConfig("logging_collector", "on")
                    .setServerConfig("log_directory", "log")
                    .setServerConfig("max_connections", "200")
                    // The library turns this off for test speed; an acknowledged webhook must survive a crash.
                    .setServerConfig("synchronous_commit", "on")
                    .setServerConfig("fsync", "on")
                    .start();
            Files.writeString(cluster.resolve(INITIALIZED_MARKER), "");
        } catch (IOException | RuntimeException e) {
            throw new DatabaseUnavailableException("cannot start the embedded database in " + cluster + ": "
                    + (e.getMessage() == null ? e.toString() : e.getMessage()) + "; its server log is in " + cluster.resolve("log"));
        }
        if (firstRun) {
            log.info("created the embedded database in {}", cluster);
        }
        return port;
    }

    /** The port of a live server on this cluster, read from its {@code postmaster.pid}. */
    static Optional<Integer> runningPort(Path cluster) {
        Path pidFile = cluster.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return Optional.empty();
        }
        try {
            List<String> lines = Files.readAllLines(pidFile);
            if (lines.size() < 4) {
                return Optional.empty();
            }
            long pid = Long.parseLong(lines.get(0).trim());
            int port = Integer.parseInt(lines.get(3).trim());
            boolean alive = ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
            return alive && accepts(port) ? Optional.of(port) : Optional.empty();
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static void stop(Path cluster) {
        Path pidFile = cluster.resolve("postmaster.pid");
        try {
            if (!Files.exists(pidFile)) {
                return;
            }
            long pid = Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
            Optional<ProcessHandle> postmaster = ProcessHandle.of(pid);
            if (postmaster.isEmpty()) {
                return;
            }
            // SIGTERM is PostgreSQL's "smart" shutdown: it waits for sessions, and we were the last.
            postmaster.get().destroy();
            // The server deletes postmaster.pid as its last act; watching for that is quicker than
            // waiting on a process that is not our child.
            long deadline = System.nanoTime() + STOP_WAIT.toNanos();
            while (Files.exists(pidFile) && postmaster.get().isAlive()) {
                if (System.nanoTime() > deadline) {
                    log.warn("the embedded database did not stop within {}s", STOP_WAIT.toSeconds());
                    return;
                }
                Thread.sleep(10);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            log.warn("the embedded database did not stop in time: {}", e.getMessage());
        }
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static FileChannel open(Path file) throws IOException {
        return FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    }

    private static FileLock lock(FileChannel channel, boolean shared) throws IOException {
        long deadline = System.nanoTime() + LOCK_WAIT.toNanos();
        while (true) {
            FileLock lock = channel.tryLock(0, Long.MAX_VALUE, shared);
            if (lock != null) {
                return lock;
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("another process has held the embedded database lock for "
                        + LOCK_WAIT.toSeconds() + "s");
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for the embedded database lock");
            }
        }
    }

    private static void createPrivateDirectory(Path dir) throws IOException {
        Files.createDirectories(dir);
        try {
            Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        } catch (UnsupportedOperationException ignored) {
            // not a POSIX file system
        }
    }

    private static void deleteRecursively(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
