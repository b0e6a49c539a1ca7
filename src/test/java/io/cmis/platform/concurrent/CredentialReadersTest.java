package io.cmis.platform.concurrent;

import com.fasterxml.jackson.databind.JsonNode;
import io.cmis.platform.cli.Json;
import io.cmis.platform.support.CliRun;
import io.cmis.platform.support.CredentialReaders;
import io.cmis.platform.support.OAuthUser;
import io.cmis.platform.support.PlatformTestBed;
import io.cmis.platform.support.WebhookServer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Twenty applications ask for one integration's credentials at once through two servers over one
 * database, while its token is due: exactly one refresh reaches the platform, and every reader gets the
 * new token, also where the refresh token rotates (TikTok's tt_user: a second refresh with the old
 * refresh token would be refused and kill the grant).
 */
class CredentialReadersTest {

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"google, '', /token, 55m",
            "tiktok, tt_user, /open_api/v1\\.3/tt_user/oauth2/refresh_token/, 115m"})
    void twenty_readers_on_two_servers_make_one_refresh_and_all_get_the_new_token(String platform, String kind,
                                                                                String refreshPath, String advance)
            throws Exception {
        try (PlatformTestBed bed = new PlatformTestBed()) {
            CredentialReaders.oneRefreshForTwenty(bed, platform, kind, refreshPath,
                    Duration.parse("PT" + advance.toUpperCase(java.util.Locale.ROOT)));
        }
    }

}
