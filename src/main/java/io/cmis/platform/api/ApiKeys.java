package io.cmis.platform.api;

import io.cmis.platform.crypto.Secret;
import io.cmis.platform.platforms.Signatures;
import io.cmis.platform.tenancy.OrgId;
import io.cmis.platform.tenancy.Tenancy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Org-scoped API keys. A key reads {@code cmis_<32 hex: its id>_<43 base64url: 256 random bits>}: the
 * prefix tells a leaked key from other secrets (and lets secret scanners find it), the id part lets it
 * be listed and revoked without storing it. Only its SHA-256 is stored. Every request reads the key's
 * row, so a revocation holds at once on every serve host: {@link #authenticate} in a round trip of its
 * own, {@link #recognise} (the proxy's hot path) from memory, leaving the read of the row to the
 * handler's one statement.
 */
public final class ApiKeys {
    public static final String PREFIX = "cmis_";
    private static final Pattern SHAPE = Pattern.compile("cmis_([0-9a-f]{32})_([A-Za-z0-9_-]{43})");
    private static final int NAME_MAX = 100;

    /** Keys this host has seen: past this many, forgotten at once (and read again when used). */
    private static final int REMEMBERED = 10_000;

    /** A key as read and checked once: what never changes about it (org, scopes) and when this host last touched it. */
    private record Known(String hash, OrgId org, Set<ApiScope> scopes, Instant touchedAt) {
    }

    private final Tenancy tenancy;
    private final Clock clock;
    private final SecureRandom random;
    private final java.util.Map<UUID, Known> known = new java.util.concurrent.ConcurrentHashMap<>();

    public ApiKeys(Tenancy tenancy, Clock clock, SecureRandom random) {
        this.tenancy = tenancy;
        this.clock = clock;
        this.random = random;
    }

    /** A new key for {@code org}; its value is in the answer and nowhere else. */
    public NewApiKey create(OrgId org, String name, Set<ApiScope> scopes, String createdBy) {
        if (name == null || name.isBlank() || name.length() > NAME_MAX) {
            throw new IllegalArgumentException("an API key needs a name of 1 to " + NAME_MAX + " characters");
        }
        if (scopes.isEmpty()) {
            throw new IllegalArgumentException("an API key needs at least one scope: " + String.join(", ", ApiScope.names()));
        }
        UUID id = UUID.randomUUID();
        byte[] raw = new byte[32];
        random.nextBytes(raw);
        String hexId = id.toString().replace("-", "");
        Secret value = Secret.of(PREFIX + hexId + "_" + Base64.getUrlEncoder().withoutPadding().encodeToString(raw));
        List<String> scopeNames = EnumSet.copyOf(scopes).stream().map(ApiScope::text).toList();
        ApiKey key = new ApiKey(id, org.value(), name.trim(), PREFIX + hexId.substring(0, 8), scopeNames,
                clock.instant(), createdBy, null, null);
        tenancy.inOrgDo(org, h -> new ApiKeyRepository(h).insert(key, hash(value.reveal())));
        return new NewApiKey(key, value);
    }

    public List<ApiKey> list(Optional<OrgId> org) {
        if (org.isPresent()) {
            return tenancy.inOrg(org.get(), h -> new ApiKeyRepository(h).list(org.get().value()));
        }
        return tenancy.systemWide("operator lists the API keys of every org", h -> new ApiKeyRepository(h).list(null));
    }

    /** Revokes the key; empty when there is no such key, false when it already was revoked. */
    public Optional<Boolean> revoke(UUID id) {
        Instant now = clock.instant();
        forget(id);
        return tenancy.systemWide("operator revokes an API key", h -> {
            ApiKeyRepository repository = new ApiKeyRepository(h);
            if (repository.find(id).isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(repository.revoke(id, now));
        });
    }

    /**
     * The caller a bearer key stands for; empty for anything but a well-formed, known, unrevoked key
     * (the caller is told nothing more: which of these it was would help a guesser).
     */
    public Optional<ApiCaller> authenticate(String presented) {
        Optional<UUID> parsed = id(presented);
        if (parsed.isEmpty()) {
            return Optional.empty();
        }
        UUID id = parsed.get();
        String presentedHash = hash(presented);
        Instant now = clock.instant();
        Optional<ApiCaller> caller = tenancy.systemWide("authenticate an API key", h -> {
            ApiKeyRepository repository = new ApiKeyRepository(h);
            Optional<ApiKeyRepository.Stored> stored = repository.forAuthentication(id);
            if (stored.isEmpty() || stored.get().key().revoked() || !MessageDigest.isEqual(
                    presentedHash.getBytes(StandardCharsets.US_ASCII), stored.get().hash().getBytes(StandardCharsets.US_ASCII))) {
                return Optional.empty();
            }
            ApiKey key = stored.get().key();
            if (key.lastUsedAt() == null || key.lastUsedAt().isBefore(now.minus(ApiKeyRepository.TOUCH_EVERY))) {
                repository.touch(id, now);
            }
            Set<ApiScope> scopes = EnumSet.noneOf(ApiScope.class);
            key.scopes().forEach(s -> ApiScope.parse(s).ifPresent(scopes::add));
            return Optional.of(new ApiCaller(id, new OrgId(key.orgId()), Set.copyOf(scopes)));
        });
        caller.ifPresentOrElse(c -> remember(c, presentedHash, now), () -> forget(id));
        return caller;
    }

    /**
     * The caller a key stands for, recognised from this host's memory when it was authenticated here
     * before: then {@link ApiCaller#confirmed()} is false and the handler's read must confirm the key
     * unrevoked ({@link ApiCaller#unconfirmed()}), else as {@link #authenticate}. The hash is compared
     * every time: an id alone recognises nothing.
     */
    public Optional<ApiCaller> recognise(String presented) {
        Optional<UUID> id = id(presented);
        Known seen = id.map(known::get).orElse(null);
        if (seen == null || !MessageDigest.isEqual(hash(presented).getBytes(StandardCharsets.US_ASCII),
                seen.hash().getBytes(StandardCharsets.US_ASCII))) {
            return authenticate(presented);
        }
        Instant now = clock.instant();
        boolean touch = seen.touchedAt().isBefore(now.minus(ApiKeyRepository.TOUCH_EVERY));
        if (touch) {
            known.put(id.get(), new Known(seen.hash(), seen.org(), seen.scopes(), now));
        }
        return Optional.of(new ApiCaller(id.get(), seen.org(), seen.scopes(), false, touch, now));
    }

    /** A key the database said is revoked: not recognised from memory again. */
    public void forget(UUID id) {
        known.remove(id);
    }

    private void remember(ApiCaller caller, String hash, Instant now) {
        if (known.size() >= REMEMBERED) {
            known.clear();
        }
        known.put(caller.keyId(), new Known(hash, caller.org(), caller.scopes(), now));
    }

    private static Optional<UUID> id(String presented) {
        var match = SHAPE.matcher(presented == null ? "" : presented);
        if (!match.matches()) {
            return Optional.empty();
        }
        String hex = match.group(1);
        return Optional.of(new UUID(Long.parseUnsignedLong(hex, 0, 16, 16), Long.parseUnsignedLong(hex, 16, 32, 16)));
    }

    /** Whether {@code text} has the shape of one of our keys (to refuse one sent where it must not be). */
    public static boolean looksLikeKey(String text) {
        return text != null && text.startsWith(PREFIX) && text.length() >= 20;
    }

    static String hash(String key) {
        return Signatures.sha256Hex(key);
    }

}
