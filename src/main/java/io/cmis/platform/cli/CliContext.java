package io.cmis.platform.cli;

import io.cmis.platform.config.AppConfig;
import io.cmis.platform.config.ConfigLoader;
import io.cmis.platform.crypto.KeySource;
import io.cmis.platform.crypto.Keyring;
import io.cmis.platform.crypto.TokenVault;
import io.cmis.platform.logging.Logging;
import io.cmis.platform.store.Database;
import io.cmis.platform.store.Schema;
import io.cmis.platform.tenancy.Tenancy;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;

/**
 * What commands share within one run, each part made on first use: a command that needs no
 * database never starts one. Closed at the end of the run.
 */
public final class CliContext implements AutoCloseable {
    final GlobalOptions options = new GlobalOptions();
    private final Map<String, String> environment;
    private final Path home;
    private final PrintWriter out;
    private final PrintWriter err;
    private final PrintStream logStream;
    private final java.io.OutputStream rawOut;
    private final boolean terminal;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    private AppConfig config;
    private Database database;
    private Keyring keyring;
    private io.cmis.platform.platforms.PlatformLayer platforms;
    private boolean schemaChecked;
    private java.io.BufferedReader stdin;

    public CliContext(Map<String, String> environment, Path home, PrintWriter out, PrintWriter err,
                      PrintStream logStream, Clock clock) {
        this(environment, home, out, err, logStream, null, false, clock);
    }

    /** {@code rawOut}: stdout itself, for bytes printed unchanged; {@code terminal}: whether it is a terminal. */
    public CliContext(Map<String, String> environment, Path home, PrintWriter out, PrintWriter err,
                      PrintStream logStream, java.io.OutputStream rawOut, boolean terminal, Clock clock) {
        this.environment = environment;
        this.home = home;
        this.out = out;
        this.err = err;
        this.logStream = logStream;
        this.rawOut = rawOut;
        this.terminal = terminal;
        this.clock = clock;
    }

    /** The checkout or installation this runs from (where {@code config/} is), if known. */
    public Path home() {
        return home;
    }

    public GlobalOptions options() {
        return options;
    }

    public AppConfig config() {
        if (config == null) {
            Path file = options.configFile != null ? options.configFile
                    : environment.containsKey(ConfigLoader.CONFIG_FILE_VARIABLE)
                    ? Path.of(environment.get(ConfigLoader.CONFIG_FILE_VARIABLE)) : null;
            config = new ConfigLoader(environment, home).load(file);
            Logging.configure(config.log(), options.verbose, logStream);
            for (String name : config.unknownVariables()) {
                notice("ignoring environment variable " + name + ": it names no configuration key");
            }
        }
        return config;
    }

    /** The data dir if the configuration could be loaded, for the crash log. */
    Optional<Path> dataDirIfKnown() {
        return Optional.ofNullable(config).map(AppConfig::dataDir);
    }

    /** The database at the schema this build expects; the embedded one is migrated on the way. */
    public Database database() {
        Database opened = databaseForMigration();
        if (!schemaChecked) {
            if (opened.embedded() && !opened.schemaVersion().equals(Optional.of(Schema.EXPECTED_VERSION))) {
                opened.migrate(config().database().rolePrefix());
            }
            Schema.requireCurrent(opened.jdbi());
            if (!opened.embedded()) {
                io.cmis.platform.store.RuntimeRole.warning(opened.jdbi()).ifPresent(this::notice);
            }
            schemaChecked = true;
        }
        return opened;
    }

    /** The database as it is, for {@code db migrate}. Held at once, so a SIGTERM from here on closes it. */
    public synchronized Database databaseForMigration() {
        if (database == null) {
            database = openDatabase();
        }
        return database;
    }

    private Database openDatabase() {
        keyring(); // an external database without keys is refused before connecting
        return Database.open(config().database(), config().dataDir());
    }

    public Keyring keyring() {
        if (keyring == null) {
            AppConfig c = config();
            keyring = KeySource.resolve(c.keyring(), c.database().embedded(), c.dataDir(), random, this::notice);
        }
        return keyring;
    }

    public Tenancy tenancy() {
        return new Tenancy(database().jdbi());
    }

    /** The same paths on connections outside the pool (see {@link Database#unpooled()}). */
    public Tenancy tenancyOnOwnConnections() {
        return new Tenancy(database().unpooled());
    }

    public TokenVault vault() {
        return new TokenVault(keyring(), random);
    }

    /** The connectors over the guarded HTTP path; the API-call log is flushed when the run ends. */
    public synchronized io.cmis.platform.platforms.PlatformLayer platforms() {
        if (platforms == null) {
            platforms = io.cmis.platform.platforms.PlatformLayer.create(config(), tenancy(), clock,
                    io.cmis.platform.http.RetryPolicy.Sleeper.REAL);
        }
        return platforms;
    }

    public SecureRandom random() {
        return random;
    }

    public Clock clock() {
        return clock;
    }

    public Printer printer() {
        return new Printer(out, options.json, rawOut, terminal);
    }

    /**
     * Sends the alerts waiting in the outbox, if an alert URL is set and this run opened the
     * database: every command delivers what is due, so alerts need no daemon.
     */
    synchronized void deliverAlerts() {
        if (database == null || config == null || config.value("alerts.webhook-url").isBlank()) {
            return;
        }
        try {
            new io.cmis.platform.notifications.NotificationDelivery(tenancy(),
                    java.net.URI.create(config.value("alerts.webhook-url")), clock).deliverDue();
        } catch (RuntimeException e) {
            notice("warning: could not deliver alerts: " + io.cmis.platform.logging.SecretMasker.mask(e.getMessage()));
        }
    }

    /** Rewrites the progress line on a terminal's stderr (carriage return, no newline). */
    public void progress(String line) {
        err.print("\r\033[K" + line);
        err.flush();
    }

    /** The variable from the environment this run was given (secret options' {@code env:NAME}). */
    String environmentVariable(String name) {
        return environment.get(name);
    }

    /** Stdin, shared so that several secret options given as {@code -} read successive lines. */
    synchronized java.io.BufferedReader stdin() {
        if (stdin == null) {
            stdin = new java.io.BufferedReader(new java.io.InputStreamReader(System.in,
                    java.nio.charset.StandardCharsets.UTF_8));
        }
        return stdin;
    }

    /** A message for the person at the terminal (stderr), not data. */
    public void notice(String message) {
        err.println(message);
        err.flush();
    }

    private final java.util.Deque<Runnable> beforeClose = new java.util.ArrayDeque<>();

    /**
     * Work to finish before the database closes, newest first: also on SIGTERM, whose hook closes
     * this context (a worker giving back its claims, serve draining its intake).
     */
    public synchronized void beforeClose(Runnable action) {
        beforeClose.push(action);
    }

    @Override
    public void close() {
        for (Runnable action; (action = nextBeforeClose()) != null; ) {
            try {
                action.run();
            } catch (RuntimeException e) {
                notice("warning: while stopping: " + io.cmis.platform.logging.SecretMasker.mask(String.valueOf(e.getMessage())));
            }
        }
        closeResources();
    }

    private synchronized Runnable nextBeforeClose() {
        return beforeClose.poll();
    }

    private synchronized void closeResources() {
        if (platforms != null) {
            platforms.close();
            platforms = null;
        }
        if (database != null) {
            database.close();
            database = null;
        }
    }
}
