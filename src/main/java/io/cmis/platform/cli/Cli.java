package io.cmis.platform.cli;

import io.cmis.platform.logging.CrashLog;
import io.cmis.platform.logging.SecretMasker;
import picocli.CommandLine;
import picocli.CommandLine.IFactory;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.lang.reflect.Constructor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;

/**
 * One run of the command line: parse, execute, map every failure to an exit code and one line on
 * stderr. Runs in-process for tests, with its own streams, environment and clock.
 */
public final class Cli {
    private final CliContext context;
    private final PrintWriter out;
    private final PrintWriter err;

    private Cli(CliContext context, PrintWriter out, PrintWriter err) {
        this.context = context;
        this.out = out;
        this.err = err;
    }

    public static Cli create(Map<String, String> environment, Path home, PrintStream out, PrintStream err, Clock clock) {
        // System.console() is non-null only when stdin and stdout are both a terminal.
        return create(environment, home, out, err, clock, out == System.out && System.console() != null);
    }

    /** {@code terminal}: whether {@code out} is a terminal (a binary answer is then not dumped on it). */
    public static Cli create(Map<String, String> environment, Path home, PrintStream out, PrintStream err, Clock clock,
                             boolean terminal) {
        io.cmis.platform.logging.Logging.silenceDriverLogging();
        PrintWriter outWriter = new PrintWriter(new java.io.OutputStreamWriter(out, StandardCharsets.UTF_8), true);
        PrintWriter errWriter = new PrintWriter(new java.io.OutputStreamWriter(err, StandardCharsets.UTF_8), true);
        return new Cli(new CliContext(environment, home, outWriter, errWriter, err, out, terminal, clock), outWriter,
                errWriter);
    }

    /** The command tree, as run() parses with it; the build generates man pages and completion from it. */
    CommandLine commandTree() {
        // No picocli argument files: '@FILE' is a value of its own (integrations call --data @FILE), and a
        // value that starts with '@' must never be replaced by a file's contents behind the operator's back.
        return new CommandLine(RootCommand.class, new ContextFactory(context)).setExpandAtFiles(false);
    }

    public int run(String... args) {
        CommandLine commandLine = commandTree();
        commandLine.setOut(out);
        commandLine.setErr(err);
        commandLine.setParameterExceptionHandler(this::usageError);
        commandLine.setExecutionExceptionHandler(this::executionError);
        // On SIGTERM (a cron timeout, systemd stop) the database is still left properly: the embedded
        // server is stopped if this was its last user. A SIGKILL skips this; the next run recovers.
        Thread onTerm = new Thread(context::close, "cmis-shutdown");
        Runtime.getRuntime().addShutdownHook(onTerm);
        try {
            int code = commandLine.execute(args);
            context.deliverAlerts();
            return code;
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(onTerm);
            } catch (IllegalStateException shuttingDown) {
                // the hook is already running
            }
            try {
                context.close();
            } catch (RuntimeException e) {
                err.println("warning: could not close the database cleanly: " + SecretMasker.mask(e.getMessage()));
            }
            out.flush();
            err.flush();
        }
    }

    private int usageError(ParameterException e, String[] args) {
        String command = e.getCommandLine().getCommandSpec().qualifiedName();
        err.println("error: " + SecretMasker.mask(e.getMessage()) + " (see '" + command + " --help')");
        return ExitCodes.USAGE;
    }

    private int executionError(Exception e, CommandLine commandLine, ParseResult parseResult) {
        String text = Optional.ofNullable(e.getMessage()).orElse(e.getClass().getSimpleName()).strip();
        String message = SecretMasker.mask(text.lines().findFirst().orElse(text));
        if (OperatorErrors.isOperatorError(e)) {
            err.println("error: " + message);
            if (context.options().verbose()) {
                e.printStackTrace(new PrintWriter(new MaskingWriter(err), true));
            }
            return ExitCodes.USAGE;
        }
        Optional<String> outage = io.cmis.platform.store.DatabaseOutage.of(e);
        if (outage.isPresent()) {
            // Mid-run: what committed stays, what did not left nothing behind; the next run finishes the job.
            err.println("error: lost the database mid-run (" + SecretMasker.mask(outage.get())
                    + "); work already committed is kept, nothing is half-written: run it again once the database is back");
            return ExitCodes.SOME_FAILED;
        }
        if (e instanceof io.cmis.platform.platforms.PlatformException) {
            // The platform said no (or could not answer): its words are the message, not a bug of ours.
            err.println("error: " + message);
            return ExitCodes.SOME_FAILED;
        }
        String command = commandLine.getCommandSpec().qualifiedName();
        Optional<Path> logged = context.dataDirIfKnown().flatMap(dir -> CrashLog.record(dir, command, e));
        err.println("error: unexpected " + e.getClass().getSimpleName() + ": " + message
                + logged.map(p -> "; details in " + p).orElse("; run with --verbose for details"));
        if (context.options().verbose()) {
            e.printStackTrace(new PrintWriter(new MaskingWriter(err), true));
        }
        return ExitCodes.SOME_FAILED;
    }

    /** Passes text through {@link SecretMasker} line by line. */
    private static final class MaskingWriter extends java.io.Writer {
        private final PrintWriter target;
        private final StringBuilder line = new StringBuilder();

        MaskingWriter(PrintWriter target) {
            this.target = target;
        }

        @Override
        public void write(char[] buf, int off, int len) {
            for (int i = off; i < off + len; i++) {
                line.append(buf[i]);
                if (buf[i] == '\n') {
                    flush();
                }
            }
        }

        @Override
        public void flush() {
            target.print(SecretMasker.mask(line.toString()));
            target.flush();
            line.setLength(0);
        }

        @Override
        public void close() {
            flush();
        }
    }

    /** Builds commands, handing those that take one the run's {@link CliContext}. */
    private record ContextFactory(CliContext context) implements IFactory {
        @Override
        public <K> K create(Class<K> type) throws Exception {
            for (Constructor<?> constructor : type.getDeclaredConstructors()) {
                Class<?>[] params = constructor.getParameterTypes();
                if (params.length == 1 && params[0] == CliContext.class) {
                    constructor.setAccessible(true);
                    return type.cast(constructor.newInstance(context));
                }
            }
            return CommandLine.defaultFactory().create(type);
        }
    }
}
