package io.cmis.platform.platforms;

import com.sun.net.httpserver.HttpServer;
import io.cmis.platform.sandbox.WebhookEmitter;
import io.cmis.platform.support.PlatformTestBed;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/** The sandbox delivers signed webhooks, duplicates and bad signatures that the connectors judge correctly. */
class WebhookEmitterTest {
    @Test
    void deliveries_verify_duplicates_share_keys_and_missigned_ones_fail() throws Exception {
        try (PlatformTestBed bed = new PlatformTestBed()) {
            List<Boolean> verdicts = new CopyOnWriteArrayList<>();
            List<String> keys = new CopyOnWriteArrayList<>();
            HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            receiver.createContext("/webhooks/", exchange -> {
                String platform = exchange.getRequestURI().getPath().substring("/webhooks/".length());
                Map<String, String> headers = new HashMap<>();
                exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), v.get(0)));
                byte[] body = exchange.getRequestBody().readAllBytes();
                WebhookSupport webhooks = bed.registry().get(platform).webhooks();
                try {
                    webhooks.verify(headers, body);
                    webhooks.events(body).forEach(e -> keys.add(platform + "/" + e.eventKey()));
                    verdicts.add(true);
                    exchange.sendResponseHeaders(200, -1);
                } catch (WebhookRejectedException e) {
                    verdicts.add(false);
                    exchange.sendResponseHeaders(401, -1);
                }
                exchange.close();
            });
            receiver.start();
            try {
                String base = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/webhooks/";
                WebhookEmitter emitter = new WebhookEmitter();
                WebhookEmitter.Delivery meta = WebhookEmitter.meta(MetaConnectorTest.feed(1767225600L, "hi"));
                WebhookEmitter.Delivery tiktok = WebhookEmitter.tiktok("{\"client_key\":\"k\",\"event\":"
                        + "\"authorization.removed\",\"create_time\":1,\"user_openid\":\"u\",\"content\":\"{}\"}",
                        bed.clock.instant().getEpochSecond());
                WebhookEmitter.Delivery google = WebhookEmitter.google(bed.sandbox.google(), "42", "{}", bed.clock.instant());

                assertThat(emitter.deliver(URI.create(base + "meta"), meta, 2)).containsExactly(200, 200);
                assertThat(emitter.deliver(URI.create(base + "tiktok"), tiktok, 2)).containsExactly(200, 200);
                assertThat(emitter.deliver(URI.create(base + "google"), google, 2)).containsExactly(200, 200);
                assertThat(emitter.deliver(URI.create(base + "meta"), meta.missigned(), 1)).containsExactly(401);
                assertThat(emitter.deliver(URI.create(base + "tiktok"), tiktok.missigned(), 1)).containsExactly(401);
                assertThat(emitter.deliver(URI.create(base + "google"), google.missigned(), 1)).containsExactly(401);
            } finally {
                receiver.stop(0);
            }
            assertThat(verdicts).containsExactly(true, true, true, true, true, true, false, false, false);
            assertThat(keys).hasSize(2 * (3 + 1 + 1));
            assertThat(keys.stream().distinct()).as("a duplicate delivery carries the same keys").hasSize(3 + 1 + 1);
        }
    }
}
