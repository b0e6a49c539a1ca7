package io.cmis.platform.production;

import io.cmis.platform.support.CredentialReaders;
import io.cmis.platform.support.PlatformTestBed;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;

/**
 * Credentials on read on Debian's PostgreSQL 15 through PgBouncer in transaction mode: the row lock that
 * makes twenty readers on two servers one refresh holds within one pooled transaction, and every reader
 * gets the new token (TikTok's rotating refresh token included).
 */
class PooledCredentialReadersTest {

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"google, '', /token, 55",
            "tiktok, tt_user, /open_api/v1\\.3/tt_user/oauth2/refresh_token/, 115"})
    void twenty_readers_on_two_servers_through_pgbouncer_make_one_refresh(String platform, String kind,
                                                                         String refreshPath, int minutes)
            throws Exception {
        try (PlatformTestBed bed = PlatformTestBed.onProductionDatabase(true)) {
            CredentialReaders.oneRefreshForTwenty(bed, platform, kind, refreshPath, Duration.ofMinutes(minutes));
        }
    }
}
