package io.cmis.platform.platforms.x;

import io.cmis.platform.platforms.x.OAuth1Request.Param;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A proxied X call hands the signer the URL with its query as the client wrote it, so the signature
 * base string must come from parsing and normalising that raw query (RFC 5849 3.4.1.3): decoded as a
 * form ({@code +} a space, lower-case hex read), re-encoded with RFC 3986 (space {@code %20},
 * {@code * ! +} escaped, {@code ~} raw, UTF-8 bytes upper-case), repeated names kept and sorted by
 * value, empty values kept. The expected strings were written out independently of this code.
 */
class OAuth1ProxiedQueryTest {
    private static final String URL = "https://ads-api.x.com/12/accounts/18ce54x/campaigns";
    private static final List<Param> PROTOCOL = List.of(new Param("oauth_consumer_key", "ck"),
            new Param("oauth_nonce", "n"), new Param("oauth_signature_method", "HMAC-SHA1"),
            new Param("oauth_timestamp", "1"), new Param("oauth_token", "tok"), new Param("oauth_version", "1.0"));

    @Test
    void a_raw_client_query_is_normalised_before_it_is_signed() {
        URI url = URI.create(URL + "?q=caf%C3%A9%20cr%C3%A8me&name=a%2Ab%7Ec%21d%2Be&ids=2&ids=1&sort=~x&empty="
                + "&note=a+b&bang=x!y*z&city=Zürich&lower=%c3%a9");
        assertThat(OAuth1Signer.baseString(OAuth1Request.of("get", url), PROTOCOL)).isEqualTo(
                "GET&https%3A%2F%2Fads-api.x.com%2F12%2Faccounts%2F18ce54x%2Fcampaigns&bang%3Dx%2521y%252Az%26city%3D"
                        + "Z%25C3%25BCrich%26empty%3D%26ids%3D1%26ids%3D2%26lower%3D%25C3%25A9%26name%3Da%252Ab~c%2521d"
                        + "%252Be%26note%3Da%2520b%26oauth_consumer_key%3Dck%26oauth_nonce%3Dn%26oauth_signature_method"
                        + "%3DHMAC-SHA1%26oauth_timestamp%3D1%26oauth_token%3Dtok%26oauth_version%3D1.0%26q%3Dcaf"
                        + "%25C3%25A9%2520cr%25C3%25A8me%26sort%3D~x");
    }

    @Test
    void a_raw_form_body_is_signed_with_the_query_and_a_json_body_is_not() {
        URI url = URI.create(URL + "?c=1");
        String form = OAuth1Signer.baseString(new OAuth1Request("POST", url,
                "application/x-www-form-urlencoded; charset=UTF-8", "b=2+3&a=%2A"), PROTOCOL);
        assertThat(form).isEqualTo("POST&https%3A%2F%2Fads-api.x.com%2F12%2Faccounts%2F18ce54x%2Fcampaigns&a%3D%252A"
                + "%26b%3D2%25203%26c%3D1%26oauth_consumer_key%3Dck%26oauth_nonce%3Dn%26oauth_signature_method"
                + "%3DHMAC-SHA1%26oauth_timestamp%3D1%26oauth_token%3Dtok%26oauth_version%3D1.0");
        String json = OAuth1Signer.baseString(new OAuth1Request("POST", url, "application/json", "{\"a\":\"b=c&d\"}"),
                PROTOCOL);
        assertThat(json).isEqualTo("POST&https%3A%2F%2Fads-api.x.com%2F12%2Faccounts%2F18ce54x%2Fcampaigns&c%3D1"
                + "%26oauth_consumer_key%3Dck%26oauth_nonce%3Dn%26oauth_signature_method%3DHMAC-SHA1"
                + "%26oauth_timestamp%3D1%26oauth_token%3Dtok%26oauth_version%3D1.0");
    }
}
