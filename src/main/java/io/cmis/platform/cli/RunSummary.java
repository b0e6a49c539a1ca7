package io.cmis.platform.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The totals of a run over many items ({@code sync}, {@code tokens refresh}, {@code webhooks
 * process}): the JSON summary of the contract and the exit code. Items neither succeeded nor
 * failed count as skipped.
 */
record RunSummary(long succeeded, long failed, long skipped, List<?> items) {

    static <T> RunSummary of(List<T> items, Predicate<T> succeeded, Predicate<T> failed) {
        long ok = items.stream().filter(succeeded).count();
        long bad = items.stream().filter(failed).count();
        return new RunSummary(ok, bad, items.size() - ok - bad, items);
    }

    /** {@code succeeded}, {@code failed}, {@code skipped}, then {@code extra}, then {@code items}. */
    Map<String, Object> json(Map<String, Object> extra) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("succeeded", succeeded);
        out.put("failed", failed);
        out.put("skipped", skipped);
        out.putAll(extra);
        out.put("items", items);
        return out;
    }

    int exitCode() {
        return failed > 0 ? ExitCodes.SOME_FAILED : ExitCodes.OK;
    }
}
