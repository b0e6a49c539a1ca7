package io.cmis.platform.concurrent;

import io.cmis.platform.crypto.Keyring;
import io.cmis.platform.crypto.Secret;
import io.cmis.platform.crypto.TokenVault;
import io.cmis.platform.integrations.ImportedToken;
import io.cmis.platform.integrations.IntegrationService;
import io.cmis.platform.support.TestKeys;
import io.cmis.platform.support.TestPostgres;
import io.cmis.platform.tenancy.OrgId;
import io.cmis.platform.tenancy.Tenancy;
import io.cmis.platform.tokens.KeyRotation;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/** Several writers at the same moment, as several hosts would be. */
class ConcurrentWritesTest {
    private static final int WRITERS = 8;

    @Test
    void eight_simultaneous_imports_of_one_account_make_one_integration_with_one_of_the_tokens() throws Exception {
        Jdbi jdbi = TestPostgres.superuser(TestPostgres.freshDatabase());
        IntegrationService service = new IntegrationService(new Tenancy(jdbi),
                new TokenVault(Keyring.parse(TestKeys.K1), new SecureRandom()), Clock.systemUTC());
        OrgId org = new OrgId(UUID.randomUUID());

        List<Boolean> created = runTogether(i -> service.add(new ImportedToken(org, "meta", "same-account",
                Secret.of("EAAtoken" + i), Optional.empty(), Optional.empty(), "user", null)).created());

        assertThat(created).containsOnlyOnce(true);
        Integer rows = jdbi.withHandle(h -> h.createQuery("SELECT count(*) FROM integrations").mapTo(Integer.class).one());
        assertThat(rows).isEqualTo(1);
    }

    @Test
    void two_rotations_at_once_rotate_each_secret_exactly_once() throws Exception {
        Jdbi jdbi = TestPostgres.superuser(TestPostgres.freshDatabase());
        IntegrationService service = new IntegrationService(new Tenancy(jdbi),
                new TokenVault(Keyring.parse(TestKeys.K1), new SecureRandom()), Clock.systemUTC());
        OrgId org = new OrgId(UUID.randomUUID());
        for (int i = 0; i < 300; i++) {
            service.add(new ImportedToken(org, "google", "acct-" + i, Secret.of("ya29.token" + i),
                    Optional.of(Secret.of("1//0refresh" + i)), Optional.empty(), "user", null));
        }
        KeyRotation rotation = new KeyRotation(new Tenancy(jdbi),
                new TokenVault(Keyring.parse(TestKeys.K2 + "," + TestKeys.K1), new SecureRandom()));

        List<Integer> rotated = runTogether(i -> rotation.rotateAll().columns().stream()
                .mapToInt(KeyRotation.ColumnResult::rotated).sum(), 2);

        assertThat(rotated.stream().mapToInt(Integer::intValue).sum()).isEqualTo(600);
        Integer old = jdbi.withHandle(h -> h.createQuery("""
                SELECT count(*) FROM integrations
                WHERE access_token_enc NOT LIKE 'v2.k2.%' OR refresh_token_enc NOT LIKE 'v2.k2.%'
                """).mapTo(Integer.class).one());
        assertThat(old).isZero();
    }

    private static <T> List<T> runTogether(java.util.function.IntFunction<T> work) throws Exception {
        return runTogether(work, WRITERS);
    }

    private static <T> List<T> runTogether(java.util.function.IntFunction<T> work, int n) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int index = i;
                futures.add(pool.submit(() -> {
                    start.await();
                    return work.apply(index);
                }));
            }
            start.countDown();
            List<T> results = new ArrayList<>();
            for (Future<T> f : futures) {
                results.add(f.get());
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }
}
