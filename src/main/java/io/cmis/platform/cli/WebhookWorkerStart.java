package io.cmis.platform.cli;

import io.cmis.platform.health.Liveness;
import io.cmis.platform.webhooks.EventOutcome;
import io.cmis.platform.webhooks.WebhookSettings;
import io.cmis.platform.webhooks.WebhookWorkers;

import java.util.function.Consumer;

/**
 * How {@code serve} and {@code webhooks work} start their webhook workers, one way: the count from
 * {@code --workers} or {@code webhooks.workers}, the pool that must hold them, and their liveness.
 */
final class WebhookWorkerStart {
    private WebhookWorkerStart() {
    }

    /**
     * {@code --workers} if given, else {@code webhooks.workers}; from {@code min} (0 for an intake-only
     * {@code serve}, 1 for {@code webhooks work}) to 64.
     */
    static int count(Integer option, WebhookSettings settings, int min, String command) {
        if (option != null) {
            if (option < min || option > WebhookSettings.MAX_WORKERS) {
                throw new UsageException("--workers must be from " + min + " to " + WebhookSettings.MAX_WORKERS
                        + ", got " + option);
            }
            return option;
        }
        if (settings.workers() < min) {
            throw new UsageException("webhooks.workers is " + settings.workers() + " (an intake-only serve); "
                    + command + " needs at least " + min + ": give --workers N");
        }
        return settings.workers();
    }

    /** Refuses, before anything starts, a pool too small for the workers and {@code others} connections beside them. */
    static void requirePool(CliContext context, int workers, int others) {
        int pool = context.config().database().poolSize();
        if (pool < workers + others) {
            throw new io.cmis.platform.config.ConfigException(workers + " workers need database.pool-size of at "
                    + "least " + (workers + others) + " (it is " + pool + ")");
        }
    }

    /**
     * Starts {@code count} workers named after {@code role}, this host and this process; when there are
     * any, {@code /health/live} watches them as "webhook workers" (an intake-only serve lists none).
     */
    static WebhookWorkers start(CliContext context, WebhookSettings settings, int count, String role,
                                Liveness liveness, Consumer<EventOutcome> onOutcome) {
        WebhookWorkers workers = WebhookWorkers.start(count, settings, context.tenancy(), context.clock(),
                context.random(), WebhooksCommand.workerName(role), context.platforms().registry(), onOutcome);
        if (count > 0) {
            liveness.watch("webhook workers", workers::alive);
        }
        return workers;
    }
}
