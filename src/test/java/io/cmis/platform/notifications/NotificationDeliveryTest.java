package io.cmis.platform.notifications;

import com.sun.net.httpserver.HttpServer;
import io.cmis.platform.sandbox.SandboxClock;
import io.cmis.platform.support.TestPostgres;
import io.cmis.platform.tenancy.OrgId;
import io.cmis.platform.tenancy.Tenancy;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class NotificationDeliveryTest {
    private final SandboxClock clock = new SandboxClock(Instant.parse("2026-11-25T12:00:00Z"));
    private final List<String> received = new CopyOnWriteArrayList<>();
    private final AtomicInteger failuresLeft = new AtomicInteger();
    private HttpServer receiver;
    private Jdbi jdbi;
    private Tenancy tenancy;

    @BeforeEach
    void start() throws Exception {
        jdbi = TestPostgres.superuser(TestPostgres.freshDatabase());
        tenancy = new Tenancy(jdbi);
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            if (failuresLeft.getAndDecrement() > 0) {
                exchange.sendResponseHeaders(500, -1);
            } else {
                received.add(body);
                exchange.sendResponseHeaders(200, -1);
            }
            exchange.close();
        });
        receiver.setExecutor(Executors.newFixedThreadPool(4));
        receiver.start();
    }

    @AfterEach
    void stop() {
        receiver.stop(0);
    }

    @Test
    void a_failed_delivery_is_retried_after_its_backoff_and_then_delivered_once() {
        enqueue("needs_reauth:1", "reconnect google");
        failuresLeft.set(1);
        NotificationDelivery delivery = delivery();

        assertThat(delivery.deliverDue()).isZero();
        assertThat(delivery.deliverDue()).as("not due again before its backoff").isZero();
        clock.advance(Duration.ofSeconds(31));
        assertThat(delivery.deliverDue()).isEqualTo(1);
        assertThat(delivery.deliverDue()).isZero();

        assertThat(received).singleElement().asString().isEqualTo("{\"text\":\"reconnect google\"}");
    }

    @Test
    void the_same_cause_is_queued_once() {
        assertThat(enqueue("expiry:1:604800:1", "a")).isTrue();
        assertThat(enqueue("expiry:1:604800:1", "a")).isFalse();
    }

    @Test
    void two_processes_delivering_at_once_send_each_alert_once() throws Exception {
        for (int i = 0; i < 30; i++) {
            enqueue("cause:" + i, "alert " + i);
        }
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<Integer>> runs = List.of(pool.submit(() -> delivery().deliverDue()),
                    pool.submit(() -> delivery().deliverDue()));
            assertThat(runs.get(0).get() + runs.get(1).get()).isEqualTo(30);
        } finally {
            pool.shutdownNow();
        }
        assertThat(received).hasSize(30).doesNotHaveDuplicates();
    }

    @Test
    void an_alert_given_up_after_the_last_backoff_is_marked_failed() {
        enqueue("cause:x", "never arrives");
        failuresLeft.set(100);
        NotificationDelivery delivery = delivery();
        for (int i = 0; i < 6; i++) {
            delivery.deliverDue();
            clock.advance(Duration.ofHours(7));
        }
        String status = jdbi.withHandle(h -> h.createQuery("SELECT status FROM cmis_platform.notifications")
                .mapTo(String.class).one());
        assertThat(status).isEqualTo("failed");
    }

    private NotificationDelivery delivery() {
        return new NotificationDelivery(tenancy, URI.create("http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook"),
                clock);
    }

    private boolean enqueue(String key, String message) {
        return tenancy.systemWide("test", h -> new NotificationOutbox(h).enqueue(new OrgId(UUID.randomUUID()),
                "test", key, message, clock.instant()));
    }
}
