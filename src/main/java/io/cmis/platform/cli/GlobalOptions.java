package io.cmis.platform.cli;

import java.nio.file.Path;

/** Options accepted anywhere on the command line; the root command's setters fill this one object. */
public final class GlobalOptions {
    Path configFile;
    boolean json;
    boolean verbose;

    public Path configFile() {
        return configFile;
    }

    public boolean json() {
        return json;
    }

    public boolean verbose() {
        return verbose;
    }
}
