package io.cmis.platform.cli;

import java.io.PrintWriter;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/** Writes a command's result to stdout: one JSON document with {@code --json}, aligned text otherwise. */
public final class Printer {
    private final PrintWriter out;
    private final boolean json;
    /** The same stdout, for bytes that must not go through a charset (null: only text is printed). */
    private final java.io.OutputStream raw;
    private final boolean terminal;

    Printer(PrintWriter out, boolean json) {
        this(out, json, null, false);
    }

    Printer(PrintWriter out, boolean json, java.io.OutputStream raw, boolean terminal) {
        this.out = out;
        this.json = json;
        this.raw = raw;
        this.terminal = terminal;
    }

    /** Whether stdout is a terminal (a person reads it; binary would garble it). */
    public boolean terminal() {
        return terminal;
    }

    /** {@code bytes} on stdout unchanged (a binary platform answer), after anything printed before. */
    public void bytes(byte[] bytes) {
        out.flush();
        if (raw == null) {
            out.print(new String(bytes, java.nio.charset.StandardCharsets.UTF_8));
            out.flush();
            return;
        }
        try {
            raw.write(bytes);
            raw.flush();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    public boolean json() {
        return json;
    }

    public void json(Object value) {
        out.println(Json.write(value));
        out.flush();
    }

    public void line(String text) {
        out.println(text);
        out.flush();
    }

    /** Columns padded to their widest cell; an empty table prints {@code emptyMessage} instead. */
    public void table(List<String> headers, List<List<String>> rows, String emptyMessage) {
        if (rows.isEmpty()) {
            line(emptyMessage);
            return;
        }
        int[] widths = new int[headers.size()];
        List<List<String>> all = new ArrayList<>();
        all.add(headers);
        all.addAll(rows);
        for (List<String> row : all) {
            for (int i = 0; i < row.size(); i++) {
                widths[i] = Math.max(widths[i], cell(row.get(i)).length());
            }
        }
        for (List<String> row : all) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < row.size(); i++) {
                String cell = cell(row.get(i));
                sb.append(cell);
                if (i < row.size() - 1) {
                    sb.append(" ".repeat(widths[i] - cell.length() + 2));
                }
            }
            out.println(sb.toString().stripTrailing());
        }
        out.flush();
    }

    /** Key/value lines for one object. */
    public void fields(List<List<String>> pairs) {
        int width = pairs.stream().mapToInt(p -> p.get(0).length()).max().orElse(0);
        for (List<String> pair : pairs) {
            out.println(pair.get(0) + ":" + " ".repeat(width - pair.get(0).length() + 1) + cell(pair.get(1)));
        }
        out.flush();
    }

    public static String time(Instant instant) {
        return instant == null ? "-" : instant.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    private static String cell(String value) {
        return value == null || value.isEmpty() ? "-" : value;
    }
}
