package io.cmis.platform.tokens;

import io.cmis.platform.crypto.Secret;
import io.cmis.platform.crypto.SecretColumns;
import io.cmis.platform.crypto.TokenVault;
import io.cmis.platform.notifications.NotificationOutbox;
import io.cmis.platform.platforms.ConnectorRegistry;
import io.cmis.platform.platforms.PlatformConnector;
import io.cmis.platform.platforms.PlatformException;
import io.cmis.platform.platforms.RefreshMode;
import io.cmis.platform.platforms.ReauthRequiredException;
import io.cmis.platform.platforms.StoredGrant;
import io.cmis.platform.platforms.TokenExpiredException;
import io.cmis.platform.platforms.TokenGrant;
import io.cmis.platform.tenancy.OrgId;
import io.cmis.platform.tenancy.Tenancy;
import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;

/**
 * Keeps tokens alive. The sweep finds due integrations through the system path and refreshes each
 * in its own org transaction, which first locks the row ({@code FOR UPDATE SKIP LOCKED}) and
 * re-reads it: a row another process is refreshing is skipped, a row it already refreshed is no
 * longer due. So each grant is refreshed once however many sweeps run, and a killed sweep leaves
 * nothing locked (the lock ends with its connection).
 */
public final class TokenRefresher {
    /** How often cron runs the sweep: a token expiring before the next run after a failure is "at risk". */
    static final Duration SWEEP_INTERVAL = Duration.ofHours(1);
    /**
     * A token refreshed this recently is fresh: another sweep that listed it afterwards (its expiry
     * still falls in a 24 h window when it lives 1 h) must not refresh it a second time.
     */
    static final Duration FRESH = Duration.ofMinutes(10);
    /** How long new tokens are kept in hand for a database that failed mid-refresh to come back. */
    static final Duration STORE_AFTER_OUTAGE = Duration.ofSeconds(60);
    private static final Logger log = LoggerFactory.getLogger(TokenRefresher.class);

    private final Tenancy tenancy;
    private final TokenVault vault;
    private final ConnectorRegistry registry;
    private final TokenSettings settings;
    private final Clock clock;

    public TokenRefresher(Tenancy tenancy, TokenVault vault, ConnectorRegistry registry, TokenSettings settings,
                          Clock clock) {
        this.tenancy = tenancy;
        this.vault = vault;
        this.registry = registry;
        this.settings = settings;
        this.clock = clock;
    }

    public List<RefreshOutcome> sweep(Duration within, Optional<OrgId> org, Optional<String> platform, boolean dryRun) {
        Instant horizon = clock.instant().plus(within);
        // Tokens that cannot be refreshed are looked at earlier, for the expiry warnings.
        Instant lookAhead = settings.expiryWarnings().stream().map(w -> clock.instant().plus(w))
                .filter(horizon::isBefore).findFirst().orElse(horizon);
        List<TokenRepository.Due> due = tenancy.systemWide("find tokens due for refresh", h -> new TokenRepository(h)
                .due(lookAhead, org.map(OrgId::value).orElse(null), platform.orElse(null)))
                .stream().filter(d -> d.expiresAt().isBefore(horizon) || renewal(d).needsWarning()
                        || RefreshTokenEnd.near(d.refreshExpiresAt(), settings.expiryWarnings(), clock.instant()))
                .toList();
        if (dryRun) {
            return due.stream().map(d -> new RefreshOutcome(d.id(), d.orgId(), d.platform(), "would_refresh",
                    describe(d), d.expiresAt())).toList();
        }
        // tokens.concurrency refresh calls in flight at most; more refreshes in hand, so that one's
        // database work (its lock before the call, its store and commit after) overlaps others' calls.
        Semaphore calls = new Semaphore(settings.concurrency());
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(settings.sweepWorkers(), due.size())));
        try {
            List<Future<RefreshOutcome>> futures = new ArrayList<>();
            for (TokenRepository.Due d : due) {
                futures.add(pool.submit(() -> refresh(d, horizon, Optional.empty(), Optional.of(calls))));
            }
            List<RefreshOutcome> outcomes = new ArrayList<>();
            for (Future<RefreshOutcome> f : futures) {
                outcomes.add(f.get());
            }
            return outcomes;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during the token sweep");
        } catch (ExecutionException e) {
            throw new IllegalStateException("token sweep failed: " + e.getCause().getMessage(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    /** Refreshes one integration if it is still due by {@code horizon}; never throws for platform trouble. */
    RefreshOutcome refresh(TokenRepository.Due due, Instant horizon) {
        return refresh(due, horizon, Optional.empty(), Optional.empty());
    }

    /**
     * The token a caller holds, for the paths that use it (before a call, after a 401). Decided by the
     * token under the integration's lock, never by when it was last refreshed: when another process
     * has already replaced {@code held}, the outcome is {@code replaced} and the caller reads the new
     * one; when {@code held} is still stored and was refused by the platform, or expires before
     * {@code horizon}, it is refreshed (a platform's short {@code expires_in} or an early revocation
     * can make a token refreshed a minute ago unusable). Callers wait for the lock, so concurrent
     * callers holding the same token make one refresh between them.
     */
    RefreshOutcome renew(TokenRepository.Due due, Secret held, boolean refused, Instant horizon) {
        return refresh(due, horizon, Optional.of(new Held(held, refused)), Optional.empty());
    }

    /** The access token a caller used, and whether the platform refused it. */
    private record Held(Secret token, boolean refused) {
    }

    /** {@code calls}: a sweep's permits for platform calls (empty: a caller's own refresh, not counted). */
    private RefreshOutcome refresh(TokenRepository.Due due, Instant horizon, Optional<Held> held,
                                   Optional<Semaphore> calls) {
        OrgId org = new OrgId(due.orgId());
        try {
            return refreshOnce(org, due, horizon, held, calls);
        } catch (ReauthRequiredException | TokenExpiredException e) {
            String reason = e.getMessage();
            new ReauthMarker(tenancy, clock).mark(org, due.id(), due.platform(), reason);
            log.warn("integration {} ({}) needs re-auth: {}", due.id(), due.platform(), reason);
            return outcome(due, "needs_reauth", reason, due.expiresAt());
        } catch (PlatformException e) {
            boolean atRisk = due.expiresAt().isBefore(clock.instant().plus(SWEEP_INTERVAL));
            log.warn("refresh of integration {} failed{}: {}", due.id(), atRisk ? " (at risk)" : "", e.getMessage());
            return outcome(due, "failed", (atRisk ? "at risk: expires " + due.expiresAt() + " before the next run; "
                    : "") + e.getMessage(), due.expiresAt());
        }
    }

    /**
     * One refresh in one transaction. When the database fails after the platform issued new tokens
     * (a restart in the middle), those tokens are stored once it is back: with a rotating refresh
     * token the old one is already dead, so dropping the answer would lose the account.
     */
    private RefreshOutcome refreshOnce(OrgId org, TokenRepository.Due due, Instant horizon, Optional<Held> held,
                                       Optional<Semaphore> calls) {
        java.util.concurrent.atomic.AtomicReference<TokenGrant> obtained = new java.util.concurrent.atomic.AtomicReference<>();
        try {
            // The lock travels with the org's path: one round trip fewer of the four each refresh makes.
            return tenancy.inOrgLedBy(org, TokenRepository.lockStatement(held.isPresent()),
                    statement -> TokenRepository.bindLock(statement, due.id()), TokenRepository::locked,
                    (h, locked) -> refreshLocked(new TokenRepository(h), new NotificationOutbox(h), due, horizon,
                            held, obtained, locked, calls));
        } catch (RuntimeException e) {
            if (obtained.get() == null || io.cmis.platform.store.DatabaseOutage.of(e).isEmpty()) {
                throw e;
            }
            return storeAfterOutage(org, due, obtained.get(), e);
        }
    }

    private RefreshOutcome storeAfterOutage(OrgId org, TokenRepository.Due due, TokenGrant grant, RuntimeException first) {
        log.warn("integration {} ({}): the database failed after the platform issued new tokens; storing them once "
                + "it is back (trying for {} s)", due.id(), due.platform(), STORE_AFTER_OUTAGE.toSeconds());
        long deadline = System.nanoTime() + STORE_AFTER_OUTAGE.toNanos();
        long waitMillis = 250;
        RuntimeException last = first;
        while (System.nanoTime() < deadline) {
            try {
                Thread.sleep(waitMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            waitMillis = Math.min(4_000, waitMillis * 2);
            try {
                Instant now = clock.instant();
                tenancy.inOrgDo(org, h -> store(new TokenRepository(h), due.orgId(), due.id(), grant, now));
                return outcome(due, "refreshed", "valid until " + grant.expiresAt().map(Instant::toString)
                        .orElse("no expiry") + " (stored after the database came back)", grant.expiresAt().orElse(null));
            } catch (RuntimeException e) {
                if (io.cmis.platform.store.DatabaseOutage.of(e).isEmpty()) {
                    throw e;
                }
                last = e;
            }
        }
        log.error("integration {} ({}): new tokens could not be stored within {} s; if its refresh token rotated, the "
                + "org must reconnect", due.id(), due.platform(), STORE_AFTER_OUTAGE.toSeconds());
        throw last;
    }

    /** Returns the refresh token's end as stored (null when none is known). */
    private Instant store(TokenRepository repository, UUID orgId, UUID id, TokenGrant grant, Instant now) {
        return repository.storeRefreshed(id,
                vault.encrypt(grant.accessToken(), SecretColumns.INTEGRATION_ACCESS_TOKEN.slot(orgId, id)),
                grant.refreshToken().map(r -> vault.encrypt(r, SecretColumns.INTEGRATION_REFRESH_TOKEN.slot(orgId, id)))
                        .orElse(null),
                grant.expiresAt().orElse(null), grant.refreshExpiresAt().orElse(null), now);
    }

    private RefreshOutcome refreshLocked(TokenRepository repository, NotificationOutbox outbox, TokenRepository.Due due,
                                         Instant horizon, Optional<Held> held,
                                         java.util.concurrent.atomic.AtomicReference<TokenGrant> obtained,
                                         Optional<TokenRepository.Locked> locked, Optional<Semaphore> calls) {
        // A sweep passes over a row being refreshed; a caller about to use the token waits for the new one.
        if (locked.isEmpty()) {
            return outcome(due, "skipped", "another process is refreshing it", due.expiresAt());
        }
        TokenRepository.Locked row = locked.get();
        if (!"active".equals(row.status()) || row.expiresAt() == null) {
            return outcome(due, "skipped", "no longer due", row.expiresAt());
        }
        boolean refused = held.map(Held::refused).orElse(false);
        if (held.isPresent()) {
            if (!stored(due, row).accessToken().equals(held.get().token())) {
                return outcome(due, "replaced", "another process already replaced the token; the new one is used",
                        row.expiresAt());
            }
        } else if (row.lastRefreshedAt() != null && row.lastRefreshedAt().isAfter(clock.instant().minus(FRESH))) {
            // The sweep's rule only: it hands out no token, and a call made before the token ends renews it.
            return outcome(due, "skipped", "refreshed at " + row.lastRefreshedAt() + ", still fresh", row.expiresAt());
        } else if (row.expiresAt().isAfter(due.expiresAt())) {
            // Refreshed by another sweep since this one listed it; a token that lives shorter than the
            // window would otherwise look due again and be refreshed twice.
            return outcome(due, "skipped", "already refreshed by another process", row.expiresAt());
        }
        PlatformConnector connector = registry.get(row.platform());
        RefreshMode mode = connector.refreshMode(row.tokenKind());
        Renewal renewal = Renewal.of(mode, row.refreshEnc() != null, row.expiresAt() != null);
        if (renewal == Renewal.NEVER_EXPIRES) {
            return outcome(due, "skipped", "no expiry is known for this token", row.expiresAt());
        }
        if (renewal == Renewal.NONE) {
            if (!row.expiresAt().isAfter(clock.instant())) {
                throw new ReauthRequiredException(row.platform(), "-", "expired", "the token expired at "
                        + row.expiresAt() + " and nothing can renew it (no refresh token)");
            }
            boolean warned = warnBeforeExpiry(repository.handle(), outbox, due, row);
            return outcome(due, warned ? "warned" : "skipped", "expires " + row.expiresAt()
                    + " and nothing can renew it (no refresh token); the org must reconnect before then", row.expiresAt());
        }
        if (mode == RefreshMode.REAUTH_ONLY && warnBeforeExpiry(repository.handle(), outbox, due, row) && !row.expiresAt().isBefore(horizon)) {
            return outcome(due, "warned", "expires " + row.expiresAt() + "; the org was told to reconnect",
                    row.expiresAt());
        }
        boolean refreshEnding = renewal == Renewal.REFRESH_TOKEN && RefreshTokenEnd.warn(repository.handle(), outbox,
                new OrgId(due.orgId()), row.id(), row.refreshExpiresAt(), settings.expiryWarnings(), clock.instant());
        if (!refused && !row.expiresAt().isBefore(horizon)) {
            return refreshEnding ? outcome(due, "warned", "its refresh token ends " + row.refreshExpiresAt()
                    + " and a refresh does not extend it; the org was told to reconnect", row.expiresAt())
                    : outcome(due, "skipped", "no longer due", row.expiresAt());
        }
        TokenGrant grant = throughPermit(calls, () -> connector.refresh(stored(due, row)));
        Instant now = clock.instant();
        if (mode == RefreshMode.REAUTH_ONLY
                && grant.expiresAt().map(e -> !e.isAfter(row.expiresAt())).orElse(true)) {
            return outcome(due, "warned", "cannot be refreshed; the org must reconnect before " + row.expiresAt(),
                    row.expiresAt());
        }
        obtained.set(grant);
        Instant refreshEnds = store(repository, due.orgId(), row.id(), grant, now);
        // An end learnt from this answer (an imported token's first refresh) is warned about now, not a sweep later.
        boolean warned = RefreshTokenEnd.warn(repository.handle(), outbox, new OrgId(due.orgId()), row.id(),
                refreshEnds, settings.expiryWarnings(), now);
        return outcome(due, "refreshed", "valid until " + grant.expiresAt().map(Instant::toString).orElse("no expiry")
                + (warned ? "; its refresh token ends " + refreshEnds + " and the org was told to reconnect" : ""),
                grant.expiresAt().orElse(null));
    }

    private static TokenGrant throughPermit(Optional<Semaphore> calls, java.util.function.Supplier<TokenGrant> call) {
        if (calls.isEmpty()) {
            return call.get();
        }
        calls.get().acquireUninterruptibly();
        try {
            return call.get();
        } finally {
            calls.get().release();
        }
    }

    /**
     * Meta: tell the org once per threshold (7 days, 1 day) that the token will die and a reconnect
     * is needed. True when a warning was queued now.
     */
    private boolean warnBeforeExpiry(Handle h, NotificationOutbox outbox, TokenRepository.Due due,
                                     TokenRepository.Locked row) {
        Duration left = Duration.between(clock.instant(), row.expiresAt());
        boolean queued = false;
        for (Duration threshold : settings.expiryWarnings()) {
            if (left.compareTo(threshold) <= 0) {
                queued |= outbox.enqueue(new OrgId(due.orgId()), "token_expiring",
                        "expiry:" + row.id() + ":" + threshold.toSeconds() + ":" + row.expiresAt().getEpochSecond(),
                        io.cmis.platform.integrations.ReconnectAdvice.about(h, row.id(), "expires at "
                                + row.expiresAt() + " and nothing can renew it: reconnect it before then"),
                        clock.instant());
            }
        }
        return queued;
    }

    private StoredGrant stored(TokenRepository.Due due, TokenRepository.Locked row) {
        Secret access = vault.decrypt(row.accessEnc(), SecretColumns.INTEGRATION_ACCESS_TOKEN.slot(due.orgId(), row.id()));
        Optional<Secret> refresh = Optional.ofNullable(row.refreshEnc())
                .map(r -> vault.decrypt(r, SecretColumns.INTEGRATION_REFRESH_TOKEN.slot(due.orgId(), row.id())));
        return new StoredGrant(due.orgId(), row.id(), row.tokenKind(), access, refresh, Optional.ofNullable(row.expiresAt()));
    }

    private Renewal renewal(TokenRepository.Due due) {
        return Renewal.of(registry.get(due.platform()).refreshMode(due.tokenKind()), due.hasRefreshToken(), true);
    }

    private String describe(TokenRepository.Due due) {
        return switch (renewal(due)) {
            case REFRESH_TOKEN -> "would refresh (expires " + due.expiresAt() + ")";
            case REEXCHANGE_THEN_RECONNECT -> "would re-exchange or warn (expires " + due.expiresAt() + ")";
            case NONE -> "would warn: expires " + due.expiresAt() + " and nothing can renew it";
            case NEVER_EXPIRES -> "no expiry is known";
        };
    }

    private static RefreshOutcome outcome(TokenRepository.Due due, String outcome, String detail, Instant expiresAt) {
        return new RefreshOutcome(due.id(), due.orgId(), due.platform(), outcome, detail, expiresAt);
    }

}
