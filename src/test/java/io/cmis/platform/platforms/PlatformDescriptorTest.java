package io.cmis.platform.platforms;

import io.cmis.platform.config.AppConfig;
import io.cmis.platform.config.ConfigLoader;
import io.cmis.platform.support.PlatformTestBed;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.net.URI;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every registered platform's descriptor is complete and answers for its connector: the facts a
 * connector used to repeat (id, token kinds, refresh modes, PKCE, the proxy's API bases) stand once,
 * as data, and what the connector answers is what its descriptor says.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PlatformDescriptorTest {
    private PlatformTestBed bed;

    @BeforeAll
    void startBed() {
        bed = new PlatformTestBed();
    }

    @AfterAll
    void stopBed() {
        bed.close();
    }

    @Test
    void every_registered_platform_has_one_descriptor_with_its_id_and_name_and_the_ids_are_unique() {
        List<PlatformDescriptor> descriptors = ConnectorRegistry.descriptors();
        assertThat(descriptors).extracting(PlatformDescriptor::id).containsExactlyElementsOf(ConnectorRegistry.knownIds())
                .doesNotHaveDuplicates();
        assertThat(descriptors).extracting(PlatformDescriptor::displayName)
                .containsExactlyElementsOf(ConnectorRegistry.displayNames()).allSatisfy(n -> assertThat(n).isNotBlank());
    }

    @Test
    void every_token_kind_has_a_refresh_mode_and_every_proxy_api_a_unique_name_and_an_https_base_in_production()
            throws Exception {
        AppConfig production = new ConfigLoader(Map.of(), null).load(null);
        for (PlatformDescriptor descriptor : ConnectorRegistry.descriptors()) {
            String id = descriptor.id();
            assertThat(descriptor.tokenKinds()).as(id).isNotEmpty()
                    .allSatisfy(k -> assertThat(k.refreshMode()).as(id + " " + k.name()).isNotNull());
            assertThat(descriptor.tokenKindNames()).as(id).doesNotHaveDuplicates()
                    .allSatisfy(k -> assertThat(k).matches("[a-z][a-z_]*"));
            assertThat(descriptor.apis()).as(id + " declares the proxy's APIs").isNotEmpty();
            assertThat(descriptor.apis()).extracting(PlatformDescriptor.ApiBase::name).as(id).doesNotHaveDuplicates();
            assertThat(descriptor.proxyApis()).as("nothing configured before configuration").isEmpty();
            for (PlatformDescriptor.ApiBase api : descriptor.apis()) {
                assertThat(api.keys()).as(id + " " + api.name() + " reads its base from its own platform's keys")
                        .isNotEmpty().allSatisfy(k -> assertThat(k).startsWith(id + "."));
                assertThat(api.keys()).allSatisfy(k -> assertThat(production.value(k)).as(k).isNotBlank());
            }
            for (ProxyApi api : descriptor.configured(production).proxyApis()) {
                URI base = URI.create(api.baseUrl());
                assertThat(base.getScheme()).as(id + " " + api.name() + ": " + api.baseUrl()).isEqualTo("https");
                assertThat(base.getHost()).as(api.baseUrl()).isNotBlank();
                assertThat(base.getRawQuery()).as(api.baseUrl()).isNull();
                assertThat(api.baseUrl()).as("resolved, no trailing slash").doesNotContain("{", "}", "//" + "/")
                        .doesNotEndWith("/");
                assertThat(api.headers().values()).allSatisfy(v -> assertThat(v).isNotBlank().doesNotContain("{"));
            }
        }
    }

    @Test
    void a_version_in_a_base_or_header_is_the_configured_one_so_an_upgrade_stays_one_key() throws Exception {
        AppConfig production = new ConfigLoader(Map.of(), null).load(null);
        Map<String, ProxyApi> byName = new java.util.HashMap<>();
        for (PlatformDescriptor d : ConnectorRegistry.descriptors()) {
            d.configured(production).proxyApis().forEach(a -> byName.put(d.id() + "/" + a.name(), a));
        }
        assertThat(byName.get("meta/graph").baseUrl()).endsWith("/" + production.value("meta.api-version"));
        assertThat(byName.get("google/ads").baseUrl()).endsWith("/" + production.value("google.ads-api-version"));
        assertThat(byName.get("x/ads").baseUrl()).endsWith("/" + production.value("x.ads-api-version"));
        assertThat(byName.get("linkedin/rest").headers()).containsEntry("LinkedIn-Version",
                production.value("linkedin.api-version")).containsEntry("X-Restli-Protocol-Version", "2.0.0");
    }

    @Test
    void each_connector_answers_its_descriptors_facts_and_its_configured_apis() {
        for (PlatformDescriptor descriptor : ConnectorRegistry.descriptors()) {
            PlatformConnector connector = bed.registry().get(descriptor.id());
            assertThat(connector.id()).isEqualTo(descriptor.id());
            assertThat(connector.descriptor().tokenKinds()).isEqualTo(descriptor.tokenKinds());
            assertThat(connector.descriptor().apis()).isEqualTo(descriptor.apis());
            assertThat(connector.tokenKinds()).isEqualTo(descriptor.tokenKindNames());
            for (PlatformDescriptor.TokenKind kind : descriptor.tokenKinds()) {
                assertThat(connector.refreshMode(kind.name())).as(descriptor.id() + " " + kind.name())
                        .isEqualTo(kind.refreshMode());
                assertThat(connector.supportsPkce(kind.name())).isEqualTo(kind.pkce());
            }
            assertThat(connector.proxyApis()).extracting(ProxyApi::name)
                    .containsExactlyElementsOf(descriptor.apis().stream().map(PlatformDescriptor.ApiBase::name).toList());
            assertThat(connector.proxyApis()).extracting(ProxyApi::baseUrl)
                    .allSatisfy(b -> assertThat(b).startsWith("http://127.0.0.1:"));
        }
    }

    @Test
    void the_facts_the_connectors_stated_before_the_descriptor_stand_unchanged() {
        Map<String, String> facts = new java.util.LinkedHashMap<>();
        for (PlatformDescriptor d : ConnectorRegistry.descriptors()) {
            for (PlatformDescriptor.TokenKind k : d.tokenKinds()) {
                facts.put(d.id() + "/" + k.name(), k.refreshMode() + (k.pkce() ? "+pkce" : ""));
            }
        }
        assertThat(facts).containsExactly(
                Map.entry("meta/user", "REAUTH_ONLY"),
                Map.entry("google/user", "REFRESH_TOKEN+pkce"),
                Map.entry("tiktok/advertiser", "NEVER_EXPIRES"),
                Map.entry("tiktok/tt_user", "ROTATING_REFRESH_TOKEN+pkce"),
                Map.entry("snapchat/user", "REFRESH_TOKEN"),
                Map.entry("linkedin/member", "REFRESH_TOKEN"),
                Map.entry("x/user", "NEVER_EXPIRES"));
        PlatformConnector tiktok = bed.registry().get("tiktok");
        assertThat(tiktok.refreshMode("unknown")).as("an unknown kind is answered as the default, as before")
                .isEqualTo(RefreshMode.NEVER_EXPIRES);
        assertThat(tiktok.supportsPkce("unknown")).isFalse();
        assertThat(new HashSet<>(ConnectorRegistry.knownIds())).hasSize(6);
    }

    @Test
    void a_descriptor_declaring_a_kind_or_an_api_twice_or_a_base_not_from_configuration_is_refused() {
        PlatformDescriptor.TokenKind user = PlatformDescriptor.TokenKind.of("user", RefreshMode.REFRESH_TOKEN);
        assertThatThrownBy(() -> new PlatformDescriptor("acme", "Acme", List.of(user, user), List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("token kind twice");
        assertThatThrownBy(() -> new PlatformDescriptor("acme", "Acme", List.of(), List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no token kind");
        PlatformDescriptor.ApiBase api = PlatformDescriptor.ApiBase.of("ads", "{acme.api-url}/v1");
        assertThatThrownBy(() -> new PlatformDescriptor("acme", "Acme", List.of(user), List.of(api, api)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("proxy API twice");
        assertThatThrownBy(() -> PlatformDescriptor.ApiBase.of("ads", "https://evil.example/v1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("from the configuration");
    }
}
