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
 * row, so a revocation holds at once on every serve host.
 */
public final class ApiKeys {
    public static final String PREFIX = "cmis_";
    private static final Pattern SHAPE = Pattern.compile("cmis_([0-9a-f]{32})_([A-Za-z0-9_-]{43})");
    private static final int NAME_MAX = 100;

    private final Tenancy tenancy;
    private final Clock clock;
    private final SecureRandom random;

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
        var match = SHAPE.matcher(presented == null ? "" : presented);
        if (!match.matches()) {
            return Optional.empty();
        }
        UUID id = UUID.fromString(match.group(1).replaceFirst("(.{8})(.{4})(.{4})(.{4})(.{12})", "$1-$2-$3-$4-$5"));
        String presentedHash = hash(presented);
        Instant now = clock.instant();
        return tenancy.systemWide("authenticate an API key", h -> {
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
    }

    /** Whether {@code text} has the shape of one of our keys (to refuse one sent where it must not be). */
    public static boolean looksLikeKey(String text) {
        return text != null && text.startsWith(PREFIX) && text.length() >= 20;
    }

    static String hash(String key) {
        return Signatures.sha256Hex(key);
    }

}
