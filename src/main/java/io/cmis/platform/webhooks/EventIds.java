package io.cmis.platform.webhooks;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ids of stored events: UUID version 7 (RFC 9562), the time in milliseconds first, then random bits.
 * New rows land at the end of the primary key's index instead of all over it, and no intake thread
 * waits for the JVM's one shared SecureRandom ({@link UUID#randomUUID()} serializes on it). An event
 * id names an event; it is not a secret, so a fast random source is right.
 */
final class EventIds {
    private EventIds() {
    }

    static UUID next(long epochMillis) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long high = (epochMillis << 16) | 0x7000L | (random.nextLong() & 0x0FFFL);
        long low = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(high, low);
    }
}
