package io.cmis.platform.sync;

import io.cmis.platform.crypto.SecretColumns;
import io.cmis.platform.crypto.TokenVault;
import io.cmis.platform.integrations.Integration;
import io.cmis.platform.integrations.IntegrationStatus;
import io.cmis.platform.platforms.CallContext;
import io.cmis.platform.platforms.CircuitOpenException;
import io.cmis.platform.platforms.ConnectorRegistry;
import io.cmis.platform.platforms.DiscoveredAdAccount;
import io.cmis.platform.platforms.DiscoveredChannel;
import io.cmis.platform.platforms.PlatformConnector;
import io.cmis.platform.platforms.PlatformException;
import io.cmis.platform.platforms.ObjectRateLimitedException;
import io.cmis.platform.platforms.RateLimitExceededException;
import io.cmis.platform.platforms.ReauthRequiredException;
import io.cmis.platform.platforms.TokenExpiredException;
import io.cmis.platform.tenancy.OrgId;
import io.cmis.platform.tenancy.Tenancy;
import io.cmis.platform.tokens.AccessTokens;
import io.cmis.platform.tokens.ReauthMarker;
import io.cmis.platform.tokens.TokenRefreshFailedException;
import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;

/**
 * Syncs channels and ad accounts of integrations: in parallel, each integration under a lease
 * ({@link SyncLeases}: an overlapping sync on any host skips it), discovery first and then one org transaction that upserts
 * what was found and marks removed what was not. A failed or partial discovery writes nothing, so
 * nothing is ever marked removed because a platform was down.
 */
public final class SyncService {
    /** What to sync. */
    public enum Part { CHANNELS, AD_ACCOUNTS }

    private static final Logger log = LoggerFactory.getLogger(SyncService.class);

    private final Tenancy tenancy;
    private final Duration leaseLength;
    private final String holder;
    private final TokenVault vault;
    private final ConnectorRegistry registry;
    private final AccessTokens tokens;
    private final Clock clock;
    private final int concurrency;

    /** {@code holder} names this sync in its leases (host and process, for an operator reading the table). */
    public SyncService(Tenancy tenancy, Duration leaseLength, String holder, TokenVault vault, ConnectorRegistry registry,
                       AccessTokens tokens, Clock clock, int concurrency) {
        this.tenancy = tenancy;
        this.leaseLength = leaseLength;
        this.holder = holder;
        this.vault = vault;
        this.registry = registry;
        this.tokens = tokens;
        this.clock = clock;
        this.concurrency = concurrency;
    }

    /** Syncs every integration given, reporting each outcome as it is known. */
    public List<SyncOutcome> sync(List<Integration> integrations, Set<Part> parts, SyncListener listener) {
        // sync.concurrency integrations talk to their platforms at once; half as many again are in hand,
        // claiming, reading tokens and writing results meanwhile, so those round trips overlap the calls.
        Semaphore calling = new Semaphore(concurrency);
        int workers = concurrency + (concurrency + 1) / 2;
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(workers, integrations.size())));
        SyncLeases leases = new SyncLeases(tenancy, leaseLength, holder);
        Instant runStarted = clock.instant();
        try {
            List<Future<SyncOutcome>> futures = new ArrayList<>();
            for (Integration integration : integrations) {
                futures.add(pool.submit(() -> {
                    listener.started(integration);
                    SyncOutcome outcome = syncOne(leases, runStarted, integration, parts, calling);
                    listener.finished(outcome);
                    return outcome;
                }));
            }
            List<SyncOutcome> outcomes = new ArrayList<>();
            for (Future<SyncOutcome> f : futures) {
                outcomes.add(f.get());
            }
            return outcomes;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during sync");
        } catch (ExecutionException e) {
            throw new IllegalStateException("sync failed: " + e.getCause().getMessage(), e.getCause());
        } finally {
            pool.shutdownNow();
            leases.close();
        }
    }

    private SyncOutcome syncOne(SyncLeases leases, Instant runStarted, Integration integration, Set<Part> parts,
                                Semaphore calling) {
        if (integration.status() != IntegrationStatus.ACTIVE) {
            return outcome(integration, "skipped", "status is " + integration.status(), SyncCounts.NONE);
        }
        OrgId org = new OrgId(integration.orgId());
        SyncLeases.Claim claim = leases.tryClaim(org, integration.id());
        if (!claim.claimed()) {
            return outcome(integration, "skipped", "another sync is running for it", SyncCounts.NONE);
        }
        java.util.concurrent.atomic.AtomicBoolean released = new java.util.concurrent.atomic.AtomicBoolean();
        try {
            Optional<Instant> synced = claim.lastSynced();
            if (synced.isPresent() && synced.get().isAfter(runStarted)) {
                // Two runs at once (two hosts' cron): the other one got here first and finished it.
                return outcome(integration, "synced_elsewhere", "synced by another run at " + synced.get()
                        + ", after this one started", SyncCounts.NONE);
            }
            return discoverAndWrite(leases, integration, parts, released, calling);
        } finally {
            leases.release(org, integration.id(), released.get());
        }
    }

    /** {@code released} is set once a committed transaction (the result's) has ended the lease. */
    private SyncOutcome discoverAndWrite(SyncLeases leases, Integration integration, Set<Part> parts,
                                         java.util.concurrent.atomic.AtomicBoolean released, Semaphore calling) {
        OrgId org = new OrgId(integration.orgId());
        Instant started = clock.instant();
        SyncOutcome result;
        try {
            Discovery found;
            calling.acquireUninterruptibly(); // everything that may call the platform, a refresh included
            try {
                CallContext context = tokens.forCall(org, integration.id());
                try {
                    found = discover(integration, parts, context);
                } catch (TokenExpiredException expired) {
                    // A token we thought valid was refused: refresh once (unless another process already
                    // replaced it) and try again once; a second refusal asks for a reconnect.
                    CallContext fresh = tokens.afterRejection(org, integration.id(), context).orElseThrow(() -> expired);
                    found = discover(integration, parts, fresh);
                }
            } finally {
                calling.release();
            }
            List<DiscoveredChannel> channels = found.channels();
            List<DiscoveredAdAccount> accounts = found.accounts();
            Set<String> kept = found.kept();
            Optional<RateLimitExceededException> deferred = found.deferred();
            // The data, its sync_runs row and the lease's end commit together: one transaction per integration.
            leases.stopRenewing(integration.id());
            SyncOutcome written;
            try {
                written = tenancy.inOrg(org, h -> {
                    Instant now = clock.instant();
                    SyncCounts counts = write(h, integration, channels, accounts, kept, now);
                    String done = (channels == null ? "" : counts.channelsSeen() + " channels (" + counts.channelsAdded()
                            + " new, " + counts.channelsRemoved() + " removed)")
                            + (channels != null && accounts != null ? ", " : "")
                            + (accounts == null ? "" : counts.adAccountsSeen() + " ad accounts (" + counts.adAccountsAdded()
                            + " new, " + counts.adAccountsRemoved() + " removed)");
                    SyncOutcome synced = deferred.isEmpty() ? outcome(integration, "synced", done, counts)
                            : deferral(integration, deferred.get(), done, counts);
                    if (!new SyncRunRepository(h).recordAndEndLease(integration.orgId(), integration.id(),
                            leases.holder(), true, now, started, clock.instant(), synced.outcome(), counts, null)) {
                        throw new LeaseLost(); // rolls the data back
                    }
                    return synced;
                });
            } catch (LeaseLost lost) {
                // Our lease ran out (a stall longer than it) and another sync took over: its result wins.
                return outcome(integration, "skipped", "its sync lease expired and another sync took it over",
                        SyncCounts.NONE);
            }
            released.set(true);
            return written;
        } catch (TokenRefreshFailedException e) {
            result = outcome(integration, e.needsReauth() ? "needs_reauth" : "failed", e.getMessage(), SyncCounts.NONE);
        } catch (ReauthRequiredException | TokenExpiredException e) {
            new ReauthMarker(tenancy, clock).mark(org, integration.id(), integration.platform(), e.getMessage());
            result = outcome(integration, "needs_reauth", e.getMessage(), SyncCounts.NONE);
        } catch (RateLimitExceededException e) {
            result = deferral(integration, e, "", SyncCounts.NONE);
        } catch (CircuitOpenException e) {
            result = outcome(integration, "skipped", integration.platform() + " circuit breaker open until "
                    + e.openUntil(), SyncCounts.NONE);
        } catch (PlatformException e) {
            log.warn("sync of integration {} failed: {}", integration.id(), e.getMessage());
            result = outcome(integration, "failed", e.getMessage(), SyncCounts.NONE);
        }
        SyncOutcome recorded = result;
        tenancy.inOrgDo(org, h -> new SyncRunRepository(h).recordAndEndLease(integration.orgId(), integration.id(),
                leases.holder(), false, null, started, clock.instant(), recorded.outcome(), recorded.counts(),
                recorded.detail()));
        released.set(true);
        return result;
    }

    /**
     * What discovery found: a part that is rate limited is null (not synced, nothing removed) and named in
     * deferred; kept names the ad accounts held back by their own limit, whose stored rows stay as they are.
     */
    private record Discovery(List<DiscoveredChannel> channels, List<DiscoveredAdAccount> accounts,
                             Set<String> kept, Optional<RateLimitExceededException> deferred) {
    }

    /**
     * Each part on its own: a limit on one (an ad account's throttle) defers that part only, and the
     * other (the org's pages) is synced. When every asked part is limited, the integration is deferred.
     */
    private Discovery discover(Integration integration, Set<Part> parts, CallContext context) {
        PlatformConnector connector = registry.get(integration.platform());
        List<DiscoveredChannel> channels = null;
        List<DiscoveredAdAccount> accounts = null;
        Set<String> kept = Set.of();
        RateLimitExceededException deferred = null;
        if (parts.contains(Part.CHANNELS)) {
            try {
                channels = connector.channels(context);
            } catch (RateLimitExceededException e) {
                deferred = e;
            }
        }
        if (parts.contains(Part.AD_ACCOUNTS)) {
            try {
                accounts = connector.adAccounts(context);
            } catch (ObjectRateLimitedException e) {
                // One account's own limit: the others were read and are written; it keeps its last known row.
                accounts = e.adAccounts();
                kept = e.kept();
                deferred = deferred == null ? e : deferred;
            } catch (RateLimitExceededException e) {
                deferred = deferred == null ? e : deferred;
            }
        }
        if (deferred != null && channels == null && accounts == null) {
            throw deferred;
        }
        return new Discovery(channels, accounts, kept, Optional.ofNullable(deferred));
    }

    private SyncOutcome deferral(Integration i, RateLimitExceededException e, String done, SyncCounts counts) {
        Instant until = clock.instant().plus(e.retryAfter());
        String waiting = "rate limited (" + e.scope() + ") until " + until + " at " + e.endpoint()
                + "; the next run after that picks it up";
        return new SyncOutcome(i.id(), i.orgId(), i.platform(), "deferred",
                done.isEmpty() ? waiting : done + "; the rest " + waiting, counts, e.scope(), until);
    }

    /**
     * A channel that is the connected account itself (X) and that the platform reported without a name
     * takes the account's name: an installation whose channel was first stored unnamed gets it named.
     */
    private static DiscoveredChannel namedByAccount(Integration integration, DiscoveredChannel c) {
        if (c.name() != null || integration.accountName() == null
                || !c.externalId().equals(integration.externalAccountId())) {
            return c;
        }
        return new DiscoveredChannel(c.type(), c.externalId(), integration.accountName(), c.accessToken(),
                c.parentExternalId(), c.metadata());
    }

    private SyncCounts write(Handle h, Integration integration, List<DiscoveredChannel> channels,
                             List<DiscoveredAdAccount> accounts, Set<String> kept, Instant now) {
        int channelsAdded = 0;
        int channelsRemoved = 0;
        int accountsAdded = 0;
        int accountsRemoved = 0;
        if (channels != null) {
            ChannelRepository repository = new ChannelRepository(h);
            List<java.util.UUID> seen = new ArrayList<>();
            for (DiscoveredChannel reported : channels) {
                DiscoveredChannel c = namedByAccount(integration, reported);
                ChannelRepository.Upserted row = repository.upsert(integration.orgId(), integration.id(),
                        integration.platform(), c, now);
                seen.add(row.id());
                channelsAdded += row.inserted() ? 1 : 0;
                if (c.accessToken().isPresent()) {
                    repository.storeToken(row.id(), vault.encrypt(c.accessToken().get(),
                            SecretColumns.CHANNEL_ACCESS_TOKEN.slot(integration.orgId(), row.id())));
                }
            }
            channelsRemoved = repository.markRemoved(integration.id(), seen, now);
        }
        if (accounts != null) {
            AdAccountRepository repository = new AdAccountRepository(h);
            List<java.util.UUID> seen = new ArrayList<>();
            for (DiscoveredAdAccount a : accounts) {
                Optional<java.util.UUID> last = kept.contains(a.externalId())
                        ? repository.liveId(integration.id(), a.externalId()) : Optional.empty();
                if (last.isPresent()) {
                    seen.add(last.get());
                    continue;
                }
                ChannelRepository.Upserted row = repository.upsert(integration.orgId(), integration.id(),
                        integration.platform(), a, now);
                seen.add(row.id());
                accountsAdded += row.inserted() ? 1 : 0;
            }
            // Accounts held back by their own limit, and what is stored under them, keep their rows.
            seen.addAll(repository.liveUnder(integration.id(), kept));
            accountsRemoved = repository.markRemoved(integration.id(), seen, now);
        }
        return new SyncCounts(channels == null ? 0 : channels.size(), channelsAdded, channelsRemoved,
                accounts == null ? 0 : accounts.size(), accountsAdded, accountsRemoved);
    }

    /** The lease was lost before the result's transaction committed: that transaction rolls back. */
    private static final class LeaseLost extends RuntimeException {
        LeaseLost() {
            super("sync lease lost", null, false, false);
        }
    }

    private static SyncOutcome outcome(Integration i, String outcome, String detail, SyncCounts counts) {
        return new SyncOutcome(i.id(), i.orgId(), i.platform(), outcome, detail, counts);
    }
}
