package io.cmis.platform.health;

/**
 * The fixed latency buckets of the API-call rollups (migration V5 writes them with the same bounds):
 * bucket i counts calls of at least {@code LOWER_BOUNDS_MS[i - 1]} ms and under {@code LOWER_BOUNDS_MS[i]};
 * bucket 0 starts at 0, the last is open-ended.
 */
final class LatencyHistogram {
    static final long[] LOWER_BOUNDS_MS = {10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000};
    static final int BUCKETS = LOWER_BOUNDS_MS.length + 1;

    private LatencyHistogram() {
    }

    /**
     * The quantile {@code q} read from the counts, interpolated linearly inside the bucket that holds
     * it, so it lies within that bucket of the exact value; the open-ended last bucket reads as its
     * lower bound. 0 when there are no calls.
     */
    static double quantile(long[] counts, double q) {
        long total = 0;
        for (long c : counts) {
            total += c;
        }
        if (total == 0) {
            return 0;
        }
        double rank = q * total;
        long below = 0;
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] > 0 && below + counts[i] >= rank) {
                double lower = i == 0 ? 0 : LOWER_BOUNDS_MS[i - 1];
                if (i == counts.length - 1) {
                    return lower;
                }
                double upper = LOWER_BOUNDS_MS[i];
                return lower + (upper - lower) * (rank - below) / counts[i];
            }
            below += counts[i];
        }
        return LOWER_BOUNDS_MS[LOWER_BOUNDS_MS.length - 1];
    }
}
