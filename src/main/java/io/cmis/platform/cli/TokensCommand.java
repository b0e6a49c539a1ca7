package io.cmis.platform.cli;

import io.cmis.platform.tokens.KeyRotation;
import picocli.CommandLine.Command;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code tokens rotate-key}. */
@Command(name = "tokens", description = "Token lifecycle.", subcommands = TokensCommand.RotateKey.class)
final class TokensCommand {

    @Command(name = "rotate-key", description = "Re-encrypt every stored secret under the active (first) key of "
            + "encryption.keys. Idempotent; safe to stop and run again.")
    static final class RotateKey implements Callable<Integer> {
        private final CliContext context;

        RotateKey(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            List<KeyRotation.ColumnResult> results = new KeyRotation(context.tenancy(), context.vault()).rotateAll();
            int rotated = results.stream().mapToInt(KeyRotation.ColumnResult::rotated).sum();
            int current = results.stream().mapToInt(KeyRotation.ColumnResult::alreadyCurrent).sum();
            int failed = results.stream().mapToInt(KeyRotation.ColumnResult::failed).sum();
            Printer printer = context.printer();
            if (printer.json()) {
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("active_key", context.keyring().active().id());
                out.put("succeeded", rotated);
                out.put("failed", failed);
                out.put("skipped", current);
                out.put("items", results.stream().map(r -> Map.of(
                        "column", r.column(), "rotated", r.rotated(), "already_current", r.alreadyCurrent(),
                        "failed", r.failed(), "outcome", r.failed() > 0 ? "failed" : "succeeded")).toList());
                printer.json(out);
            } else {
                printer.line("re-encrypted " + rotated + " secret(s) under key '" + context.keyring().active().id()
                        + "'; " + current + " already used it; " + failed + " could not be decrypted");
            }
            return failed > 0 ? ExitCodes.SOME_FAILED : ExitCodes.OK;
        }
    }
}
