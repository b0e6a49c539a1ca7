package io.cmis.platform.tokens;

import java.time.Instant;
import java.util.UUID;

/**
 * The API key a token is read for, when the key was recognised from memory: the read confirms in the
 * same statement that it is still unrevoked (a revocation holds at once on every host without a
 * round trip of its own), and records its use when {@code touch} says this host has not lately.
 */
public record CallerKey(UUID keyId, boolean touch, Instant now) {
}
