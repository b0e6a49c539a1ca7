package io.cmis.platform.sandbox;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** The tokens a simulator issued: who they belong to, what kind, until when, and whether revoked. */
public final class SandboxTokens {
    /** One issued token; {@code expiresAt} null means it does not expire. */
    public record Issued(String subject, String kind, Instant expiresAt, boolean revoked, boolean used) {
        boolean expired(Instant now) {
            return expiresAt != null && !now.isBefore(expiresAt);
        }
    }

    public enum State { VALID, EXPIRED, REVOKED, UNKNOWN }

    private final Map<String, Issued> tokens = new ConcurrentHashMap<>();
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    public SandboxTokens(Clock clock) {
        this.clock = clock;
    }

    public String issue(String prefix, String subject, String kind, Duration ttl) {
        byte[] bytes = new byte[16];
        random.nextBytes(bytes);
        String token = prefix + HexFormat.of().formatHex(bytes);
        tokens.put(token, new Issued(subject, kind, ttl == null ? null : clock.instant().plus(ttl), false, false));
        return token;
    }

    public Optional<Issued> find(String token) {
        return Optional.ofNullable(token).map(tokens::get);
    }

    public State state(String token, String kind) {
        Issued issued = token == null ? null : tokens.get(token);
        if (issued == null || !issued.kind().equals(kind)) {
            return State.UNKNOWN;
        }
        if (issued.revoked()) {
            return State.REVOKED;
        }
        return issued.expired(clock.instant()) ? State.EXPIRED : State.VALID;
    }

    /** Marks a single-use token (a code, a rotated refresh token) as used; false if it already was. */
    public boolean use(String token) {
        Issued issued = tokens.get(token);
        if (issued == null || issued.used()) {
            return false;
        }
        tokens.put(token, new Issued(issued.subject(), issued.kind(), issued.expiresAt(), issued.revoked(), true));
        return true;
    }

    /** Revokes every token of a subject, as a user removing the app would. */
    public void revokeAll(String subject) {
        tokens.replaceAll((t, i) -> i.subject().equals(subject)
                ? new Issued(i.subject(), i.kind(), i.expiresAt(), true, i.used()) : i);
    }

    /**
     * Revokes every live token of one kind (the access tokens) and keeps the others: the platform
     * refusing an access token early while its refresh token still works.
     */
    public void revokeKind(String kind) {
        tokens.replaceAll((t, i) -> i.kind().equals(kind)
                ? new Issued(i.subject(), i.kind(), i.expiresAt(), true, i.used()) : i);
    }

    public void revoke(String token) {
        tokens.computeIfPresent(token, (t, i) -> new Issued(i.subject(), i.kind(), i.expiresAt(), true, i.used()));
    }
}
