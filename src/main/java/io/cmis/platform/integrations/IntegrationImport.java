package io.cmis.platform.integrations;

import io.cmis.platform.platforms.ConnectorRegistry;
import io.cmis.platform.store.DatabaseOutage;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code integrations import}: JSON Lines, one integration a line, each stored by {@link
 * IntegrationService#add} in a transaction of its own, so a line is never half-written and a run
 * killed half-way is finished by running it again (the same line stored twice is one integration).
 *
 * <p>When the database goes away mid-run the import stops and rethrows the outage, as every command
 * does; lines not yet read are for the next run.
 *
 * <p>One thread reads and checks the lines; {@code concurrency} writers store them. The lines of one
 * account always go to the same writer, in file order, so a file that names an account twice ends
 * with its last line, as it would one line at a time.
 */
public final class IntegrationImport {
    /** Lines waiting per writer: the file is read as fast as it is stored, never whole into memory. */
    private static final int QUEUE = 256;
    static final int MAX_LINE = 1 << 20;
    private static final int MAX_IGNORED_NAMES = 20;

    private final IntegrationService service;
    private final ConnectorRegistry registry;
    private final Clock clock;
    private final int concurrency;
    private final AtomicInteger read = new AtomicInteger();
    private final AtomicInteger done = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    /** The database went away: the run stops reading, and rethrows this once the writers are done. */
    private volatile RuntimeException outage;

    public IntegrationImport(IntegrationService service, ConnectorRegistry registry, Clock clock, int concurrency) {
        if (concurrency < 1) {
            throw new IllegalArgumentException("concurrency must be at least 1");
        }
        this.service = service;
        this.registry = registry;
        this.clock = clock;
        this.concurrency = concurrency;
    }

    /** Lines read so far (blank lines not counted). */
    public int linesRead() {
        return read.get();
    }

    /** Lines finished so far: stored, checked or failed. */
    public int linesDone() {
        return done.get();
    }

    public int linesFailed() {
        return failed.get();
    }

    /** Imports every line of {@code in}; with {@code dryRun} checks them and writes nothing. */
    public Summary run(BufferedReader in, boolean dryRun) {
        List<Writer> writers = new ArrayList<>();
        for (int i = 0; i < concurrency; i++) {
            Writer writer = new Writer(dryRun);
            writers.add(writer);
            writer.thread.start();
        }
        List<LineError> errors = new ArrayList<>();
        Set<String> ignored = new TreeSet<>();
        try {
            readLines(in, writers, errors, ignored);
        } finally {
            for (Writer writer : writers) {
                writer.end();
            }
            for (Writer writer : writers) {
                writer.join();
            }
        }
        if (outage != null) {
            // As every command does: one line, exit 1; each line committed or left nothing, so running
            // the same file again finishes the job.
            throw outage;
        }
        for (Writer writer : writers) {
            if (writer.died != null) {
                throw new IllegalStateException("an import writer stopped after line " + read.get(), writer.died);
            }
        }
        int created = 0;
        int updated = 0;
        for (Writer writer : writers) {
            created += writer.created;
            updated += writer.updated;
            errors.addAll(writer.errors);
        }
        errors.sort(Comparator.comparingLong(LineError::line));
        return new Summary(read.get(), created, updated, errors.size(), List.copyOf(errors), dryRun,
                ignored.stream().limit(MAX_IGNORED_NAMES).toList());
    }

    private void readLines(BufferedReader in, List<Writer> writers, List<LineError> errors, Set<String> ignored) {
        long number = 0;
        try {
            for (String line; outage == null && (line = in.readLine()) != null; ) {
                number++;
                if (number == 1 && line.startsWith("\uFEFF")) {
                    line = line.substring(1);
                }
                if (line.isBlank()) {
                    continue;
                }
                read.incrementAndGet();
                try {
                    if (line.length() > MAX_LINE) {
                        throw new ImportLine.Invalid("longer than " + MAX_LINE + " characters");
                    }
                    ImportedToken token = ImportLine.parse(line, registry, clock.instant(), name -> {
                        if (ignored.size() < MAX_IGNORED_NAMES) {
                            ignored.add(name.length() > 64 ? name.substring(0, 64) : name);
                        }
                    });
                    writers.get(Math.floorMod(key(token).hashCode(), writers.size())).put(new Task(number, token));
                } catch (ImportLine.Invalid e) {
                    errors.add(new LineError(number, e.getMessage()));
                    failed.incrementAndGet();
                    done.incrementAndGet();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read line " + (number + 1) + " of the input", e);
        }
    }

    private static String key(ImportedToken token) {
        return token.org() + "\n" + token.platform() + "\n" + token.externalAccountId();
    }

    /**
     * Why a line could not be stored, without the database's own message: a driver's message can
     * carry the statement's parameters.
     */
    private static String storeFailure(RuntimeException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                return "could not be stored (database error, SQLSTATE " + sql.getSQLState() + ")";
            }
        }
        return "could not be stored (" + e.getClass().getSimpleName() + ")";
    }

    private record Task(long line, ImportedToken token) {
        static final Task END = new Task(-1, null);
    }

    /** One writer thread and the lines queued for it. */
    private final class Writer {
        private final BlockingQueue<Task> queue = new ArrayBlockingQueue<>(QUEUE);
        private final boolean dryRun;
        private final Thread thread;
        private final List<LineError> errors = new ArrayList<>();
        /** Accounts a dry run has seen, so a second line for one counts as an update, as it would be. */
        private final Set<String> seen = new HashSet<>();
        private int created;
        private int updated;
        private volatile Throwable died;

        Writer(boolean dryRun) {
            this.dryRun = dryRun;
            this.thread = new Thread(this::drain, "import-writer");
            thread.setDaemon(true);
        }

        /** Waits for room; a writer that died (an Error, not a failed line) ends the run instead of hanging it. */
        void put(Task task) {
            try {
                while (!queue.offer(task, 100, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                    if (!thread.isAlive()) {
                        throw new IllegalStateException("an import writer stopped; lines after "
                                + read.get() + " were not imported");
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while importing", e);
            }
        }

        /** No more lines: it stops when it has stored the ones queued. */
        void end() {
            try {
                put(Task.END);
            } catch (IllegalStateException dead) {
                // it stopped already; run() reports why
            }
        }

        void join() {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private void drain() {
            try {
                for (Task task; (task = queue.take()) != Task.END; ) {
                    if (outage == null) {
                        store(task);
                        done.incrementAndGet();
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException | Error e) {
                died = e; // run() rethrows it on the caller's thread, where the command's error handling is
            }
        }

        private void store(Task task) {
            ImportedToken token = task.token();
            try {
                boolean isNew;
                if (dryRun) {
                    isNew = seen.add(key(token))
                            && !service.exists(token.org(), token.platform(), token.externalAccountId());
                } else {
                    isNew = service.add(token, registry.get(token.platform()).channelsOfGrant(
                            token.externalAccountId(), Optional.ofNullable(token.accountName()))).created();
                }
                if (isNew) {
                    created++;
                } else {
                    updated++;
                }
            } catch (RuntimeException e) {
                if (DatabaseOutage.of(e).isPresent()) {
                    // Not this line's fault, and every line after it would wait out the pool's timeout.
                    outage = e;
                    return;
                }
                errors.add(new LineError(task.line(), storeFailure(e)));
                failed.incrementAndGet();
            }
        }
    }

    /** What a run did; never a token. */
    public record Summary(int lines, int created, int updated, int failed, List<LineError> errors, boolean dryRun,
                          List<String> ignoredFields) {
    }

    public record LineError(long line, String error) {
        @Override
        public String toString() {
            return "line " + line + ": " + error;
        }
    }
}
