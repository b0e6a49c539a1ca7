package io.cmis.platform.platforms.x;

import io.cmis.platform.crypto.Secret;
import io.cmis.platform.platforms.x.OAuth1Request.Param;
import io.cmis.platform.platforms.x.OAuth1Verifier.Outcome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** OAuth 1.0a signing as X documents it, checked against X's published example and RFC 5849's. */
class OAuth1SignerTest {
    // X's "Creating a signature" example; X marked these credentials invalid for real requests.
    private static final String CONSUMER_KEY = "xvz1evFS4wEEPTGEFPHBog";
    private static final String CONSUMER_SECRET = "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw";
    private static final String TOKEN = "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb";
    private static final String TOKEN_SECRET = "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE";
    private static final String NONCE = "kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg";
    private static final Instant TIMESTAMP = Instant.ofEpochSecond(1318622958);
    private static final String STATUS = "Hello Ladies + Gentlemen, a signed OAuth request!";

    private static final OAuth1Signer.Consumer APP = new OAuth1Signer.Consumer(CONSUMER_KEY, Secret.of(CONSUMER_SECRET));
    private static final OAuth1Signer.Token USER = new OAuth1Signer.Token(TOKEN, Secret.of(TOKEN_SECRET));
    private static final Function<String, Optional<Secret>> KNOWN_TOKENS =
            t -> t.equals(TOKEN) ? Optional.of(Secret.of(TOKEN_SECRET)) : Optional.empty();

    private static Clock at(Instant instant) {
        return Clock.fixed(instant, ZoneOffset.UTC);
    }

    private static OAuth1Signer signer(Clock clock, Supplier<String> nonces) {
        return new OAuth1Signer(APP, clock, nonces);
    }

    private static OAuth1Request statusUpdate(String host) {
        return OAuth1Request.form("POST", URI.create("https://" + host + "/1.1/statuses/update.json?include_entities=true"),
                List.of(new Param("status", STATUS)));
    }

    private static List<Param> exampleProtocol() {
        return List.of(new Param("oauth_consumer_key", CONSUMER_KEY), new Param("oauth_nonce", NONCE),
                new Param("oauth_signature_method", "HMAC-SHA1"), new Param("oauth_timestamp", "1318622958"),
                new Param("oauth_token", TOKEN), new Param("oauth_version", "1.0"));
    }

    @Test
    void the_reference_test_vector_gives_the_published_base_string_key_signature_and_header() {
        String base = OAuth1Signer.baseString(statusUpdate("api.x.com"), exampleProtocol());
        assertThat(base).isEqualTo("POST&https%3A%2F%2Fapi.x.com%2F1.1%2Fstatuses%2Fupdate.json&include_entities%3Dtrue"
                + "%26oauth_consumer_key%3Dxvz1evFS4wEEPTGEFPHBog%26oauth_nonce%3DkYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg"
                + "%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D1318622958"
                + "%26oauth_token%3D370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb%26oauth_version%3D1.0"
                + "%26status%3DHello%2520Ladies%2520%252B%2520Gentlemen%252C%2520a%2520signed%2520OAuth%2520request%2521");
        assertThat(base.chars().filter(c -> c == '&').count()).isEqualTo(2);
        String key = OAuth1Signer.signingKey(Secret.of(CONSUMER_SECRET), Optional.of(Secret.of(TOKEN_SECRET)));
        assertThat(key).isEqualTo(CONSUMER_SECRET + "&" + TOKEN_SECRET);
        assertThat(OAuth1Signer.signature(base, key)).isEqualTo("Ls93hJiZbQ3akF3HF3x1Bz8/zU4=");

        String header = signer(at(TIMESTAMP), () -> NONCE).authorization(statusUpdate("api.x.com"), USER);
        assertThat(header).isEqualTo("OAuth oauth_consumer_key=\"xvz1evFS4wEEPTGEFPHBog\", "
                + "oauth_nonce=\"kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg\", "
                + "oauth_signature=\"Ls93hJiZbQ3akF3HF3x1Bz8%2FzU4%3D\", oauth_signature_method=\"HMAC-SHA1\", "
                + "oauth_timestamp=\"1318622958\", oauth_token=\"370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb\", "
                + "oauth_version=\"1.0\"");
    }

    @Test
    void the_same_request_on_the_old_host_gives_the_old_published_signature() {
        String header = signer(at(TIMESTAMP), () -> NONCE).authorization(statusUpdate("api.twitter.com"), USER);
        assertThat(header).contains("oauth_signature=\"hCtSmYh%2BiHYCEqBWrE7C7hYmtUk%3D\"");
    }

    @Test
    void the_raw_body_from_the_example_signs_like_the_parameters_it_decodes_to() {
        OAuth1Request raw = new OAuth1Request("post", URI.create("https://api.x.com/1.1/statuses/update.json?include_entities=true"),
                "application/x-www-form-urlencoded; charset=UTF-8",
                "status=Hello%20Ladies%20%2b%20Gentlemen%2c%20a%20signed%20OAuth%20request%21");
        assertThat(signer(at(TIMESTAMP), () -> NONCE).authorization(raw, USER))
                .contains("oauth_signature=\"Ls93hJiZbQ3akF3HF3x1Bz8%2FzU4%3D\"");
    }

    @Test
    void the_rfc_5849_example_sorts_duplicates_by_value_decodes_plus_in_forms_and_keeps_empty_values() {
        OAuth1Request request = new OAuth1Request("POST", URI.create("http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b"),
                "application/x-www-form-urlencoded", "c2&a3=2+q");
        List<Param> protocol = List.of(new Param("oauth_consumer_key", "9djdj82h48djs9d2"),
                new Param("oauth_token", "kkk9d7dh3k39sjv7"), new Param("oauth_signature_method", "HMAC-SHA1"),
                new Param("oauth_timestamp", "137131201"), new Param("oauth_nonce", "7d8f3e4a"),
                new Param("oauth_signature", "ignored"));
        assertThat(OAuth1Signer.baseString(request, protocol)).isEqualTo("POST&http%3A%2F%2Fexample.com%2Frequest"
                + "&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D"
                + "%26oauth_consumer_key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a"
                + "%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk9d7dh3k39sjv7");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
            "' '|%20", "*|%2A", "~|~", "+|%2B", "/|%2F", "%|%25", ":|%3A", ",|%2C", "=|%3D", "&|%26",
            "AZaz09-._|AZaz09-._", "é|%C3%A9", "☃|%E2%98%83", "😀|%F0%9F%98%80", "!'()|%21%27%28%29"})
    void percent_encoding_leaves_only_unreserved_characters_raw_with_upper_case_hex(String raw, String encoded) {
        assertThat(OAuth1Signer.percentEncode(raw)).isEqualTo(encoded);
    }

    @Test
    void parameters_sort_by_encoded_name_then_encoded_value() {
        List<Param> params = List.of(new Param("b", "1"), new Param("a", "z"), new Param("a", "é"),
                new Param("a", "y"), new Param("é", "0"), new Param("Z", "0"));
        // Sorted after encoding: é becomes %C3%A9, which sorts before letters, unlike the raw character.
        assertThat(OAuth1Signer.normalise(params)).isEqualTo("%C3%A9=0&Z=0&a=%C3%A9&a=y&a=z&b=1");
    }

    @Test
    void a_form_body_is_signed_and_a_json_body_is_not() {
        URI url = URI.create("https://ads-api.x.com/12/accounts/abc/campaigns");
        OAuth1Request form = OAuth1Request.form("POST", url, List.of(new Param("name", "Spring sale")));
        assertThat(form.body()).isEqualTo("name=Spring%20sale");
        assertThat(form.signedParameters()).containsExactly(new Param("name", "Spring sale"));

        OAuth1Request json = OAuth1Request.json("POST", url, "{\"name\":\"Spring sale\"}");
        assertThat(json.signedParameters()).isEmpty();
        OAuth1Signer signer = signer(at(TIMESTAMP), () -> NONCE);
        assertThat(signer.authorization(json, USER)).isEqualTo(signer.authorization(OAuth1Request.of("POST", url), USER));
        assertThat(signer.authorization(form, USER)).isNotEqualTo(signer.authorization(json, USER));
    }

    @Test
    void a_form_body_sent_under_another_content_type_is_not_signed() {
        OAuth1Request text = new OAuth1Request("POST", URI.create("https://api.x.com/x"), "text/plain", "a=1");
        assertThat(text.signedParameters()).isEmpty();
    }

    @ParameterizedTest
    @CsvSource({
            "https://API.X.com:443/12/accounts?count=5#top, https://api.x.com/12/accounts",
            "HTTP://Example.com:80, http://example.com/",
            "http://example.com:443/p, http://example.com:443/p",
            "https://example.com:8443/p%20q, https://example.com:8443/p%20q"})
    void the_base_url_drops_default_ports_query_and_fragment_and_lower_cases_scheme_and_host(String url, String base) {
        assertThat(OAuth1Signer.baseUrl(URI.create(url))).isEqualTo(base);
    }

    @Test
    void without_a_token_the_signing_key_ends_in_a_bare_ampersand_and_the_header_has_no_token() {
        assertThat(OAuth1Signer.signingKey(Secret.of("a b"), Optional.empty())).isEqualTo("a%20b&");
        String header = signer(at(TIMESTAMP), () -> NONCE).authorization(
                OAuth1Request.of("POST", URI.create("https://api.x.com/oauth/request_token")), Optional.empty(),
                List.of(new Param("oauth_callback", "oob")));
        assertThat(header).startsWith("OAuth oauth_callback=\"oob\", oauth_consumer_key=").doesNotContain("oauth_token");
    }

    @Test
    void the_verifier_accepts_a_request_the_signer_made_and_hands_back_its_token() {
        OAuth1Request request = statusUpdate("api.x.com");
        String header = signer(at(TIMESTAMP), () -> NONCE).authorization(request, USER);
        OAuth1Verifier.Verdict verdict = OAuth1Verifier.ofDefaults(at(TIMESTAMP)).verify(request, header, APP, KNOWN_TOKENS);
        assertThat(verdict.outcome()).isEqualTo(Outcome.VALID);
        assertThat(verdict.parameter("oauth_token")).contains(TOKEN);
    }

    @Test
    void the_verifier_accepts_the_request_token_step_signed_with_the_consumer_secret_alone() {
        OAuth1Request request = OAuth1Request.of("POST", URI.create("https://api.x.com/oauth/request_token"));
        String header = signer(at(TIMESTAMP), () -> NONCE).authorization(request, Optional.empty(),
                List.of(new Param("oauth_callback", "https://app.example/cb?x=1")));
        OAuth1Verifier.Verdict verdict = OAuth1Verifier.ofDefaults(at(TIMESTAMP)).verify(request, header, APP, KNOWN_TOKENS);
        assertThat(verdict.outcome()).isEqualTo(Outcome.VALID);
        assertThat(verdict.parameter("oauth_callback")).contains("https://app.example/cb?x=1");
    }

    @Test
    void the_verifier_rejects_a_wrong_signature_a_changed_body_and_an_unknown_token() {
        OAuth1Request request = statusUpdate("api.x.com");
        String header = signer(at(TIMESTAMP), () -> NONCE).authorization(request, USER);
        OAuth1Verifier verifier = OAuth1Verifier.ofDefaults(at(TIMESTAMP));
        String forged = header.replace("Ls93hJiZbQ3akF3HF3x1Bz8%2FzU4%3D", "Ls93hJiZbQ3akF3HF3x1Bz8%2FzU5%3D");
        assertThat(verifier.verify(request, forged, APP, KNOWN_TOKENS).outcome()).isEqualTo(Outcome.BAD_SIGNATURE);
        OAuth1Request changed = OAuth1Request.form("POST", request.url(), List.of(new Param("status", "changed")));
        assertThat(verifier.verify(changed, header, APP, KNOWN_TOKENS).outcome()).isEqualTo(Outcome.BAD_SIGNATURE);
        OAuth1Signer.Consumer wrongSecret = new OAuth1Signer.Consumer(CONSUMER_KEY, Secret.of("other"));
        assertThat(verifier.verify(request, header, wrongSecret, KNOWN_TOKENS).outcome()).isEqualTo(Outcome.BAD_SIGNATURE);
        assertThat(verifier.verify(request, header, APP, t -> Optional.empty()).outcome()).isEqualTo(Outcome.UNKNOWN_TOKEN);
        assertThat(verifier.verify(request, "Bearer abc", APP, KNOWN_TOKENS).outcome()).isEqualTo(Outcome.MALFORMED);
    }

    @Test
    void the_verifier_rejects_a_timestamp_outside_the_window_on_either_side() {
        OAuth1Request request = statusUpdate("api.x.com");
        String header = signer(at(TIMESTAMP), () -> NONCE).authorization(request, USER);
        Duration window = Duration.ofMinutes(5);
        for (Instant now : List.of(TIMESTAMP.plus(window).plusSeconds(1), TIMESTAMP.minus(window).minusSeconds(1))) {
            OAuth1Verifier verifier = new OAuth1Verifier(at(now), window, 100);
            assertThat(verifier.verify(request, header, APP, KNOWN_TOKENS).outcome()).isEqualTo(Outcome.STALE_TIMESTAMP);
        }
        OAuth1Verifier edge = new OAuth1Verifier(at(TIMESTAMP.plus(window)), window, 100);
        assertThat(edge.verify(request, header, APP, KNOWN_TOKENS).outcome()).isEqualTo(Outcome.VALID);
    }

    @Test
    void the_verifier_rejects_a_reused_nonce_but_not_a_forged_request_that_tried_it_first() {
        OAuth1Request request = statusUpdate("api.x.com");
        String header = signer(at(TIMESTAMP), () -> NONCE).authorization(request, USER);
        OAuth1Verifier verifier = OAuth1Verifier.ofDefaults(at(TIMESTAMP));
        String forged = header.replace("Ls93hJiZbQ3akF3HF3x1Bz8%2FzU4%3D", "AAAAAAAAAAAAAAAAAAAAAAAAAAA%3D");
        assertThat(verifier.verify(request, forged, APP, KNOWN_TOKENS).outcome()).isEqualTo(Outcome.BAD_SIGNATURE);
        assertThat(verifier.verify(request, header, APP, KNOWN_TOKENS).outcome()).isEqualTo(Outcome.VALID);
        assertThat(verifier.verify(request, header, APP, KNOWN_TOKENS).outcome()).isEqualTo(Outcome.REUSED_NONCE);
    }

    @Test
    void the_nonce_memory_stays_within_its_cap_and_forgets_nonces_whose_timestamp_left_the_window() {
        OAuth1Verifier.NonceCache cache = new OAuth1Verifier.NonceCache(2, Duration.ofMinutes(5));
        long now = TIMESTAMP.getEpochSecond();
        assertThat(cache.firstUse("a", now, now)).isTrue();
        assertThat(cache.firstUse("b", now, now)).isTrue();
        assertThat(cache.firstUse("c", now, now)).isTrue();
        assertThat(cache.size()).isEqualTo(2);
        assertThat(cache.firstUse("c", now, now)).isFalse();
        assertThat(cache.firstUse("d", now + 301, now + 301)).isTrue();
        assertThat(cache.size()).isEqualTo(1);
    }

    @Test
    void a_fresh_nonce_per_request_lets_the_same_request_through_twice() {
        AtomicInteger counter = new AtomicInteger();
        OAuth1Signer signer = signer(at(TIMESTAMP), () -> "n" + counter.incrementAndGet());
        OAuth1Verifier verifier = OAuth1Verifier.ofDefaults(at(TIMESTAMP));
        OAuth1Request request = OAuth1Request.of("GET", URI.create("https://ads-api.x.com/12/accounts?count=1000&q=Acme%20Co"));
        for (int i = 0; i < 2; i++) {
            assertThat(verifier.verify(request, signer.authorization(request, USER), APP, KNOWN_TOKENS).valid()).isTrue();
        }
        assertThat(OAuth1Signer.randomNonces(new java.util.Random(1)).get()).matches("[0-9a-f]{32}");
    }

    @Test
    void no_secret_appears_in_any_to_string_or_error_message() {
        OAuth1Request request = statusUpdate("api.x.com");
        String header = signer(at(TIMESTAMP), () -> NONCE).authorization(request, USER);
        OAuth1Verifier verifier = OAuth1Verifier.ofDefaults(at(TIMESTAMP));
        List<String> texts = new java.util.ArrayList<>(List.of(APP.toString(), USER.toString(),
                signer(at(TIMESTAMP), () -> NONCE).toString(), verifier.toString(), request.toString(),
                verifier.verify(request, header, APP, KNOWN_TOKENS).toString(), header));
        texts.add(messageOf(() -> OAuth1Request.of("GET", URI.create("/relative?secret=" + CONSUMER_SECRET))));
        texts.add(messageOf(() -> new OAuth1Signer.Consumer(" ", Secret.of(CONSUMER_SECRET))));
        texts.add(messageOf(() -> new OAuth1Request("POST", URI.create("https://api.x.com/x"),
                "application/x-www-form-urlencoded", "k=" + TOKEN_SECRET + "%zz").signedParameters()));
        assertThat(texts).allSatisfy(text -> assertThat(text).doesNotContain(CONSUMER_SECRET, TOKEN_SECRET));
        assertThat(APP.toString()).contains("****");
    }

    private static String messageOf(Runnable action) {
        Throwable[] caught = new Throwable[1];
        assertThatThrownBy(() -> {
            try {
                action.run();
            } catch (RuntimeException e) {
                caught[0] = e;
                throw e;
            }
        }).isInstanceOf(IllegalArgumentException.class);
        return String.valueOf(caught[0].getMessage());
    }

    @Test
    void a_header_that_repeats_a_parameter_is_malformed_and_realm_is_ignored() {
        assertThat(OAuth1Verifier.parseHeader("OAuth oauth_nonce=\"a\", oauth_nonce=\"b\"")).isEmpty();
        assertThat(OAuth1Verifier.parseHeader("OAuth realm=\"Example\", oauth_signature=\"a%2Bb%3D\""))
                .contains(Map.of("oauth_signature", "a+b="));
    }
}
