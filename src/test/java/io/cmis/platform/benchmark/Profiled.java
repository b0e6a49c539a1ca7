package io.cmis.platform.benchmark;

import jdk.jfr.Configuration;
import jdk.jfr.Recording;

import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * A benchmark's measured part under Java Flight Recorder when {@code -Djfr=FILE} is given (the
 * "profile" settings: method samples every 10 ms, allocations, locks, socket reads), so where the
 * time goes is read from the same run that gives the figure. Without it, the part runs as it is.
 */
final class Profiled {
    private Profiled() {
    }

    static <T> T run(Supplier<T> part) {
        String file = System.getProperty("jfr", "");
        if (file.isBlank()) {
            return part.get();
        }
        try (Recording recording = new Recording(Configuration.getConfiguration("profile"))) {
            recording.start();
            T result = part.get();
            recording.stop();
            recording.dump(Path.of(file));
            return result;
        } catch (java.io.IOException | java.text.ParseException e) {
            throw new IllegalStateException("could not record the profile to " + file + ": " + e.getMessage(), e);
        }
    }
}
