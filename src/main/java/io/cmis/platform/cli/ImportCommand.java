package io.cmis.platform.cli;

import io.cmis.platform.integrations.IntegrationImport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** {@code integrations import}: the prototype's integrations in bulk, from JSON Lines. */
@Command(name = "import", description = "Import integrations in bulk from JSON Lines, one integration a line "
        + "(platform, org_id, access_token, external_id, and optionally refresh_token, expires_at or expires_in, kind, "
        + "scopes, account_name). Each line is its own transaction; running the same file again updates, never "
        + "duplicates. Exit 1 when any line failed; never prints a token.")
final class ImportCommand implements Callable<Integer> {
    static final int MAX_CONCURRENCY = 64;
    private final CliContext context;

    @Option(names = "--file", required = true, paramLabel = "FILE", description = "The JSON Lines file; - reads stdin.")
    String file;

    @Option(names = "--dry-run", description = "Check every line and report as a real run would; write nothing.")
    boolean dryRun;

    @Option(names = "--concurrency", paramLabel = "N", defaultValue = "4",
            description = "Lines stored at once (default 4, at most database.pool-size - 2).")
    int concurrency;

    ImportCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() throws IOException {
        if (concurrency < 1 || concurrency > MAX_CONCURRENCY) {
            throw new UsageException("--concurrency must be 1 to " + MAX_CONCURRENCY + ", got " + concurrency);
        }
        Path path = "-".equals(file) ? null : Path.of(file);
        try (BufferedReader in = open(path)) {
            int writers = Math.max(1, Math.min(concurrency, context.config().database().poolSize() - 2));
            IntegrationImport run = new IntegrationImport(IntegrationsCommand.service(context),
                    context.platforms().registry(), context.clock(), writers);
            IntegrationImport.Summary summary;
            try (Progress progress = Progress.start(context, run, path)) {
                summary = run.run(in, dryRun);
            }
            print(summary);
            return summary.failed() == 0 ? ExitCodes.OK : ExitCodes.SOME_FAILED;
        }
    }

    private BufferedReader open(Path path) {
        if (path == null) {
            return context.stdin();
        }
        if (Files.isDirectory(path)) {
            throw new UsageException("cannot read --file " + file + ": it is a directory");
        }
        try {
            // Malformed UTF-8 becomes U+FFFD and fails its line, instead of ending the run half-way.
            return new BufferedReader(new InputStreamReader(Files.newInputStream(path), StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            throw new UsageException("cannot read --file " + file + ": no such file");
        } catch (AccessDeniedException e) {
            throw new UsageException("cannot read --file " + file + ": permission denied");
        } catch (IOException e) {
            throw new UsageException("cannot read --file " + file + ": " + e.getClass().getSimpleName());
        }
    }

    private void print(IntegrationImport.Summary summary) {
        Printer printer = context.printer();
        if (printer.json()) {
            printer.json(summary);
            return;
        }
        for (IntegrationImport.LineError error : summary.errors()) {
            printer.line(error.toString());
        }
        if (!summary.ignoredFields().isEmpty()) {
            context.notice("ignored fields this command does not read: " + String.join(", ", summary.ignoredFields()));
        }
        printer.line((summary.dryRun() ? "dry run, nothing written: " + summary.lines() + " lines, "
                + summary.created() + " would be created, " + summary.updated() + " would be updated, "
                : summary.lines() + " lines: " + summary.created() + " created, " + summary.updated() + " updated, ")
                + summary.failed() + " failed");
    }

    /**
     * A progress line on stderr, redrawn at most 10 times a second, only at a terminal: a bar when the
     * file's length is known, else a count.
     */
    private static final class Progress implements AutoCloseable {
        private final CliContext context;
        private final IntegrationImport run;
        private final long total;
        private final ScheduledExecutorService timer;

        private Progress(CliContext context, IntegrationImport run, long total) {
            this.context = context;
            this.run = run;
            this.total = total;
            this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "import-progress");
                t.setDaemon(true);
                return t;
            });
            timer.scheduleAtFixedRate(this::draw, 0, 100, TimeUnit.MILLISECONDS);
        }

        static Progress start(CliContext context, IntegrationImport run, Path path) throws IOException {
            if (System.console() == null) {
                return null;
            }
            long total = -1;
            if (path != null) {
                try (var lines = Files.lines(path, StandardCharsets.ISO_8859_1)) {
                    total = lines.filter(l -> !l.isBlank()).count();
                }
            }
            return new Progress(context, run, total);
        }

        private void draw() {
            int done = run.linesDone();
            String failed = run.linesFailed() == 0 ? "" : "  " + run.linesFailed() + " failed";
            if (total <= 0) {
                context.progress(done + " lines" + failed);
                return;
            }
            int width = 30;
            int filled = (int) Math.min(width, done * width / total);
            context.progress("[" + "#".repeat(filled) + "-".repeat(width - filled) + "] " + done + "/" + total
                    + " lines" + failed);
        }

        @Override
        public void close() {
            timer.shutdownNow();
            try {
                timer.awaitTermination(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            context.progress("");
        }
    }
}
