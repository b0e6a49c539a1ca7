package io.cmis.platform.cli;

/** Exit codes of every command except {@code health}, which follows the Nagios convention. */
public final class ExitCodes {
    /** Everything done. */
    public static final int OK = 0;
    /** Some items failed; the rest were done. Also: an unexpected error. */
    public static final int SOME_FAILED = 1;
    /** The command line or the configuration is wrong; nothing was changed. */
    public static final int USAGE = 2;

    private ExitCodes() {
    }
}
