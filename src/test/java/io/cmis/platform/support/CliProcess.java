package io.cmis.platform.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The real command line as a separate JVM process, for tests about several processes and kills. */
public final class CliProcess {
    private final Process process;
    private final StringBuffer output = new StringBuffer();
    private final Thread reader;

    private CliProcess(Process process) {
        this.process = process;
        this.reader = new Thread(() -> {
            try (var in = new java.io.InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)) {
                char[] buf = new char[4096];
                for (int n; (n = in.read(buf)) > 0; ) {
                    output.append(buf, 0, n);
                }
            } catch (IOException ignored) {
                // the process went away
            }
        });
        reader.setDaemon(true);
        reader.start();
    }

    /** Everything printed so far. */
    public String output() {
        return output.toString();
    }

    /** Waits until the process has printed {@code text} (a deadline, not a fixed sleep). */
    public void awaitOutput(String text) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!output.toString().contains(text)) {
            if (System.nanoTime() > deadline || !process.isAlive() && !output.toString().contains(text)) {
                if (!process.isAlive()) {
                    reader.join(1000);
                }
                if (output.toString().contains(text)) {
                    return;
                }
                throw new AssertionError("never printed '" + text + "'; printed: " + output);
            }
            Thread.sleep(20);
        }
    }

    public static CliProcess start(Map<String, String> environment, String... args) {
        return start(environment, command(args));
    }

    /**
     * The command line on a pseudo-terminal (util-linux {@code script}), as a person at a terminal
     * sees it: what it prints to stdout and stderr arrives as one stream, control characters included.
     */
    public static CliProcess startOnTerminal(Map<String, String> environment, String... args) {
        String line = command(args).stream().map(a -> "'" + a.replace("'", "'\\''") + "'")
                .collect(java.util.stream.Collectors.joining(" "));
        return start(environment, List.of("script", "-qefc", line, "/dev/null"));
    }

    private static List<String> command(String... args) {
        // The launcher's choice (bin/cmis-platform): one-shot commands start fast on the client compiler,
        // the long-running server gets the optimising compiler and the parallel collector.
        boolean longRunning = List.of(args).contains("serve") || List.of(args).contains("work")
                || List.of(args).contains("demo");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(longRunning ? List.of("-XX:+UseParallelGC", "-Xmn64m")
                : List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
        // Child processes report coverage too: JaCoCo's agent appends to the same file under a lock.
        java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("-javaagent:") && a.contains("jacoco"))
                .forEach(command::add);
        command.addAll(List.of(
                "-cp", System.getProperty("java.class.path"),
                "io.cmis.platform.Main"));
        command.addAll(List.of(args));
        return command;
    }

    private static CliProcess start(Map<String, String> environment, List<String> command) {
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().keySet().removeIf(k -> k.startsWith("CMIS_"));
        builder.environment().putAll(environment);
        builder.redirectErrorStream(true);
        builder.redirectOutput(ProcessBuilder.Redirect.PIPE);
        try {
            return new CliProcess(builder.start());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    public Process process() {
        return process;
    }

    public void send(String line) throws IOException {
        process.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().flush();
    }

    /** Waits for the exit; returns the exit code and everything it printed. */
    public CliRun.Result finish() throws Exception {
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("process did not finish: " + output);
        }
        reader.join(10_000);
        return new CliRun.Result(process.exitValue(), output.toString(), "");
    }

    /**
     * SIGTERM, as systemd or cron's timeout sends it. Through the process handle: {@code
     * Process.destroy()} would also close our end of its output, losing what it prints while stopping.
     */
    public void terminate() {
        process.toHandle().destroy();
    }

    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }
}
