package io.cmis.platform.cli;

import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** {@code completion}: bash completion for every command and option, generated from the command tree. */
@Command(name = "completion", description = "Print a bash completion script: "
        + "source <(bin/cmis-platform completion), or save it under /etc/bash_completion.d/.")
final class CompletionCommand implements Callable<Integer> {
    private final CliContext context;

    @Spec
    CommandSpec spec;

    CompletionCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        context.printer().line(AutoComplete.bash("cmis-platform", spec.root().commandLine()));
        return ExitCodes.OK;
    }
}
