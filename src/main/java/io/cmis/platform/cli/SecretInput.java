package io.cmis.platform.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Reads the value of an option that carries a secret (a token, a code, a state). Given literally it sits
 * in the command line, which {@code ps} shows every user of the host; {@code -} reads it from the next
 * line of stdin and {@code env:NAME} from the environment variable NAME, both seen by nobody else
 * ({@code /proc/PID/environ} is readable by the process's own user only). {@code literal:VALUE} is VALUE
 * itself, so a literal that is {@code -} or starts with {@code env:} (or {@code literal:}) can still be given.
 */
final class SecretInput {
    /** The sentence every secret option's description ends with (the man pages are made from them). */
    static final String HOW = " '-' reads it from the next line of stdin, env:NAME from the environment variable NAME; "
            + "given literally (literal:VALUE for a value that is '-' or starts with env:) it is visible to every "
            + "user of the host in ps.";
    static final String ENV_PREFIX = "env:";
    static final String LITERAL_PREFIX = "literal:";
    private static final Pattern VARIABLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private SecretInput() {
    }

    /** The secret an option names; several {@code -} options read successive lines, in the order asked. */
    static String read(CliContext context, String option, String given) {
        if (given.startsWith(LITERAL_PREFIX)) {
            return given.substring(LITERAL_PREFIX.length());
        }
        if ("-".equals(given)) {
            return fromStdin(context, option);
        }
        if (given.startsWith(ENV_PREFIX)) {
            return fromEnvironment(context, option, given.substring(ENV_PREFIX.length()));
        }
        return given;
    }

    private static String fromStdin(CliContext context, String option) {
        String what = option.replaceFirst("^--", "").replace('-', ' ').toLowerCase(Locale.ROOT);
        context.notice("reading the " + what + " from stdin (one line)...");
        try {
            BufferedReader stdin = context.stdin();
            String line = stdin.readLine();
            if (line == null || line.isBlank()) {
                throw new UsageException(option + " - expects the " + what + " on stdin, which was empty");
            }
            return line.strip();
        } catch (IOException e) {
            throw new UsageException("cannot read the " + what + " from stdin: " + e.getMessage());
        }
    }

    private static String fromEnvironment(CliContext context, String option, String name) {
        if (!VARIABLE.matcher(name).matches()) {
            throw new UsageException(option + " " + ENV_PREFIX + "NAME needs the name of an environment variable "
                    + "(letters, digits and _)");
        }
        String value = context.environmentVariable(name);
        if (value == null || value.isBlank()) {
            throw new UsageException(option + " " + ENV_PREFIX + name + ": the environment variable " + name
                    + " is not set or empty");
        }
        return value.strip();
    }
}
