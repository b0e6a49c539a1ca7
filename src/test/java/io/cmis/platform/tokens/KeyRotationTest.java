package io.cmis.platform.tokens;

import com.fasterxml.jackson.databind.JsonNode;
import io.cmis.platform.cli.Json;
import io.cmis.platform.crypto.Keyring;
import io.cmis.platform.crypto.LegacyV1;
import io.cmis.platform.crypto.Secret;
import io.cmis.platform.crypto.SecretColumns;
import io.cmis.platform.crypto.TokenVault;
import io.cmis.platform.support.CliRun;
import io.cmis.platform.support.TestKeys;
import io.cmis.platform.support.TestPostgres;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * tokens rotate-key on an upgraded installation: three integrations written by this release (v2,
 * key k1) and 450 by an older one (v1, key k1, more than two batches).
 */
class KeyRotationTest {
    private static final int ROWS = 450; // more than two batches
    private String database;
    private Jdbi raw;
    private UUID org;

    @BeforeEach
    void integrationsUnderTheOldKey() {
        database = TestPostgres.freshDatabase();
        raw = TestPostgres.superuser(database);
        CliRun old = CliRun.against(database);
        org = UUID.randomUUID();
        for (int i = 0; i < 3; i++) {
            old.run("integrations", "add", "google", "--org", org.toString(), "--access-token",
                    "ya29.token-" + i + "-abcdefgh", "--refresh-token", "1//0refresh-" + i + "-abcdefgh",
                    "--external-id", "acct-" + i).ok();
        }
        Keyring k1 = Keyring.parse(TestKeys.K1);
        raw.useHandle(h -> {
            for (int i = 0; i < ROWS; i++) {
                UUID id = UUID.randomUUID();
                h.execute("INSERT INTO integrations (id, org_id, platform, external_account_id, access_token_enc) "
                                + "VALUES (?, ?, 'meta', ?, ?)", id, org, "bulk-" + i,
                        LegacyV1.encrypt(k1, Secret.of("EAAbulk" + i), SecretColumns.INTEGRATION_ACCESS_TOKEN.slot(org, id)));
            }
        });
    }

    @Test
    void rotate_key_moves_every_secret_to_the_new_key_and_a_second_run_has_nothing_to_do() throws Exception {
        CliRun rotated = newKeyFirst();

        JsonNode first = Json.MAPPER.readTree(rotated.run("--json", "tokens", "rotate-key").ok().stdout());
        assertThat(first.get("active_key").asText()).isEqualTo("k2");
        assertThat(first.get("succeeded").asInt()).isEqualTo(ROWS + 3 + 3);
        assertThat(first.get("failed").asInt()).isZero();
        assertThat(first.get("locked").asInt()).isZero();
        assertThat(first.get("not_under_active_key").asInt()).isZero();
        assertThat(first.get("remaining")).isEmpty();

        assertThat(ciphertexts()).allSatisfy(c -> assertThat(c).startsWith("v2.k2."));
        assertEveryTokenDecryptsWith(TestKeys.K2);

        JsonNode second = Json.MAPPER.readTree(rotated.run("--json", "tokens", "rotate-key").ok().stdout());
        assertThat(second.get("succeeded").asInt()).isZero();
        assertThat(second.get("skipped").asInt()).isEqualTo(ROWS + 6);
    }

    @Test
    void v1_secrets_of_an_older_release_are_rewritten_as_v2_under_the_same_key_and_a_second_run_changes_nothing()
            throws Exception {
        CliRun sameKey = CliRun.against(database);
        assertThat(secretsHealth(sameKey, 1).get("not_under_active_key").asInt()).isEqualTo(ROWS);

        JsonNode first = Json.MAPPER.readTree(sameKey.run("--json", "tokens", "rotate-key").ok().stdout());
        assertThat(first.get("succeeded").asInt()).isEqualTo(ROWS);
        assertThat(first.get("skipped").asInt()).isEqualTo(6);
        assertThat(ciphertexts()).allSatisfy(c -> assertThat(c).startsWith("v2.k1."));
        assertEveryTokenDecryptsWith(TestKeys.K1);
        List<String> after = ciphertexts();

        JsonNode second = Json.MAPPER.readTree(sameKey.run("--json", "tokens", "rotate-key").ok().stdout());
        assertThat(second.get("succeeded").asInt()).isZero();
        assertThat(ciphertexts()).as("a second run rewrites nothing").isEqualTo(after);
        assertThat(secretsHealth(sameKey, 0).get("not_under_active_key").asInt()).isZero();
    }

    @Test
    void a_secret_that_cannot_be_decrypted_is_counted_named_and_the_rest_still_rotate() {
        UUID victim = idOf("bulk-7");
        UUID other = idOf("bulk-8");
        // A ciphertext moved to another row: authentic, but bound to the wrong row.
        raw.useHandle(h -> h.execute("UPDATE integrations SET access_token_enc = "
                + "(SELECT access_token_enc FROM integrations WHERE id = ?) WHERE id = ?", other, victim));

        CliRun.Result result = newKeyFirst().run("tokens", "rotate-key");

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
        assertThat(result.stdout()).contains("1 could not be decrypted")
                .contains("still not under key 'k2' (v2): integrations.access_token_enc: 1 under key 'k1' (v1)")
                .contains("keep the old key(s)");
        assertThat(ciphertexts().stream().filter(c -> c.startsWith("v1.k1.")).count()).isEqualTo(1);
    }

    @Test
    void a_v2_secret_in_a_row_whose_org_was_changed_no_longer_decrypts() {
        UUID moved = raw.withHandle(h -> h.createQuery(
                "SELECT id FROM integrations WHERE external_account_id = 'acct-1'").mapTo(UUID.class).one());
        raw.useHandle(h -> h.execute("UPDATE integrations SET org_id = ? WHERE id = ?", UUID.randomUUID(), moved));

        CliRun.Result result = newKeyFirst().run("tokens", "rotate-key");

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
        assertThat(result.stdout()).contains("2 could not be decrypted") // its access and refresh token
                .contains("integrations.access_token_enc: 1 under key 'k1' (v2)")
                .contains("integrations.refresh_token_enc: 1 under key 'k1' (v2)");
    }

    @Test
    void every_secret_column_is_counted_and_rotated_page_tokens_oauth1_secrets_and_pending_flows_included()
            throws Exception {
        Keyring k1 = Keyring.parse(TestKeys.K1);
        UUID integration = idOf("acct-0");
        UUID channel = UUID.randomUUID();
        UUID flow = UUID.randomUUID();
        raw.useHandle(h -> {
            h.execute("UPDATE integrations SET token_secret_enc = ? WHERE id = ?", LegacyV1.encrypt(k1,
                    Secret.of("oauth1-token-secret"), SecretColumns.INTEGRATION_TOKEN_SECRET.slot(org, integration)),
                    integration);
            h.execute("INSERT INTO channels (id, org_id, integration_id, platform, type, external_id, access_token_enc) "
                    + "VALUES (?, ?, ?, 'google', 'youtube_channel', 'page-1', ?)", channel, org, integration,
                    LegacyV1.encrypt(k1, Secret.of("EAApage-token"), SecretColumns.CHANNEL_ACCESS_TOKEN.slot(org, channel)));
            h.execute("INSERT INTO oauth_states (id, org_id, platform, state_hash, pkce_verifier_enc, "
                            + "request_token_secret_enc, redirect_uri, expires_at) VALUES (?, ?, 'x', 'hash-1', ?, ?, "
                            + "'https://example.com/cb', now() + interval '10 minutes')", flow, org,
                    LegacyV1.encrypt(k1, Secret.of("pkce-verifier"), SecretColumns.OAUTH_PKCE_VERIFIER.slot(org, flow)),
                    LegacyV1.encrypt(k1, Secret.of("request-secret"),
                            SecretColumns.OAUTH_REQUEST_TOKEN_SECRET.slot(org, flow)));
        });
        CliRun rotated = newKeyFirst();
        JsonNode stale = secretsHealth(rotated, 1).get("stale");
        assertThat(stale).extracting(n -> n.get("table").asText() + "." + n.get("column").asText())
                .containsOnly(SecretColumns.ALL.stream().map(SecretColumns.Column::qualified).toArray(String[]::new));

        JsonNode run = Json.MAPPER.readTree(rotated.run("--json", "tokens", "rotate-key").ok().stdout());

        assertThat(run.get("succeeded").asInt()).isEqualTo(ROWS + 6 + 4);
        assertThat(secretsHealth(rotated, 0).get("not_under_active_key").asInt()).isZero();
        TokenVault onlyNewKey = new TokenVault(Keyring.parse(TestKeys.K2), new SecureRandom());
        raw.useHandle(h -> {
            assertThat(onlyNewKey.decrypt(h.createQuery("SELECT token_secret_enc FROM integrations WHERE id = :id")
                    .bind("id", integration).mapTo(String.class).one(),
                    SecretColumns.INTEGRATION_TOKEN_SECRET.slot(org, integration)).reveal()).isEqualTo("oauth1-token-secret");
            assertThat(onlyNewKey.decrypt(h.createQuery("SELECT access_token_enc FROM channels").mapTo(String.class).one(),
                    SecretColumns.CHANNEL_ACCESS_TOKEN.slot(org, channel)).reveal()).isEqualTo("EAApage-token");
            assertThat(onlyNewKey.decrypt(h.createQuery("SELECT pkce_verifier_enc FROM oauth_states").mapTo(String.class)
                    .one(), SecretColumns.OAUTH_PKCE_VERIFIER.slot(org, flow)).reveal()).isEqualTo("pkce-verifier");
            assertThat(onlyNewKey.decrypt(h.createQuery("SELECT request_token_secret_enc FROM oauth_states")
                    .mapTo(String.class).one(), SecretColumns.OAUTH_REQUEST_TOKEN_SECRET.slot(org, flow)).reveal())
                    .isEqualTo("request-secret");
        });
    }

    @Test
    void rotation_that_stops_part_way_resumes_where_it_left_off() {
        TokenVault both = new TokenVault(Keyring.parse(TestKeys.K2 + "," + TestKeys.K1), new SecureRandom());
        KeyRotation rotation = new KeyRotation(new io.cmis.platform.tenancy.Tenancy(raw), both);
        // As if killed after the access tokens: the refresh tokens are still under the old key.
        KeyRotation.ColumnResult access = rotation.rotate(SecretColumns.INTEGRATION_ACCESS_TOKEN);
        assertThat(access.rotated()).isEqualTo(ROWS + 3);
        assertThat(rotation.remaining()).singleElement().satisfies(r -> {
            assertThat(r.column()).isEqualTo("refresh_token_enc");
            assertThat(r.count()).isEqualTo(3);
        });

        KeyRotation.Report rest = rotation.rotateAll();

        assertThat(rest.columns()).filteredOn(r -> r.column().equals("integrations.access_token_enc"))
                .singleElement().satisfies(r -> assertThat(r.rotated()).isZero());
        assertThat(rest.columns()).filteredOn(r -> r.column().equals("integrations.refresh_token_enc"))
                .singleElement().satisfies(r -> assertThat(r.rotated()).isEqualTo(3));
        assertThat(rest.complete()).isTrue();
        assertThat(ciphertexts()).allSatisfy(c -> assertThat(c).startsWith("v2.k2."));
    }

    @Test
    void a_row_locked_by_another_transaction_is_waited_for_and_rotated_once_released() throws Exception {
        UUID held = idOf("bulk-7");
        CliRun rotated = newKeyFirst();
        CliRun.Result result;
        try (Handle locker = raw.open()) {
            lock(locker, held);
            CompletableFuture<CliRun.Result> rotation = CompletableFuture.supplyAsync(
                    () -> rotated.run("--json", "tokens", "rotate-key"));
            assertThat(someoneWaitsFor(locker, rotation)).as("rotate-key waits for the held row").isTrue();
            locker.commit();
            result = rotation.get(2, TimeUnit.MINUTES);
        }

        assertThat(result.exitCode()).as(result.toString()).isZero();
        JsonNode json = Json.MAPPER.readTree(result.stdout());
        assertThat(json.get("succeeded").asInt()).isEqualTo(ROWS + 6);
        assertThat(json.get("locked").asInt()).isZero();
        assertThat(ciphertexts()).allSatisfy(c -> assertThat(c).startsWith("v2.k2."));
    }

    @Test
    void a_row_locked_past_the_timeout_fails_the_run_by_name_and_health_counts_it_until_a_later_run_rotates_it()
            throws Exception {
        UUID held = idOf("bulk-7");
        CliRun rotated = newKeyFirst();
        assertThat(secretsHealth(rotated, 1).get("not_under_active_key").asInt()).isEqualTo(ROWS + 6);
        try (Handle locker = raw.open()) {
            lock(locker, held);

            CliRun.Result result = rotated.run("--json", "tokens", "rotate-key", "--lock-timeout", "1s");

            assertThat(result.exitCode()).as("never success with a row left behind: " + result).isEqualTo(1);
            JsonNode json = Json.MAPPER.readTree(result.stdout());
            assertThat(json.get("succeeded").asInt()).isEqualTo(ROWS + 5);
            assertThat(json.get("locked").asInt()).isEqualTo(1);
            assertThat(json.get("not_under_active_key").asInt()).isEqualTo(1);
            JsonNode left = json.get("remaining").get(0);
            assertThat(left.get("table").asText()).isEqualTo("integrations");
            assertThat(left.get("column").asText()).isEqualTo("access_token_enc");
            assertThat(left.get("key_id").asText()).isEqualTo("k1");
            assertThat(left.get("format").asText()).isEqualTo("v1");
            assertThat(left.get("count").asInt()).isEqualTo(1);
            assertThat(result.all()).doesNotContain("EAAbulk7");

            JsonNode secrets = secretsHealth(rotated, 1);
            assertThat(secrets.get("not_under_active_key").asInt()).isEqualTo(1);
            assertThat(secrets.get("health").asText()).isEqualTo("warning");
            assertThat(secrets.get("fix").asText()).contains("tokens rotate-key");
            locker.commit();
        }

        rotated.run("tokens", "rotate-key").ok();
        assertThat(secretsHealth(rotated, 0).get("not_under_active_key").asInt()).isZero();
        assertThat(ciphertexts()).allSatisfy(c -> assertThat(c).startsWith("v2.k2."));
    }

    private CliRun newKeyFirst() {
        return CliRun.against(database).env("CMIS_ENCRYPTION_KEYS", TestKeys.K2 + "," + TestKeys.K1);
    }

    private UUID idOf(String account) {
        return raw.withHandle(h -> h.createQuery("SELECT id FROM integrations WHERE external_account_id = :a")
                .bind("a", account).mapTo(UUID.class).one());
    }

    /** As a token refresh does: the row held FOR UPDATE by a transaction of another connection. */
    private static void lock(Handle locker, UUID id) {
        locker.begin();
        locker.createQuery("SELECT id FROM integrations WHERE id = :id FOR UPDATE").bind("id", id)
                .mapTo(UUID.class).one();
    }

    /** Whether the rotation blocks on the locker's row (false: it ended without waiting, as a run that skips rows would). */
    private boolean someoneWaitsFor(Handle locker, CompletableFuture<?> rotation) {
        int pid = locker.createQuery("SELECT pg_backend_pid()").mapTo(Integer.class).one();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!rotation.isDone() && System.nanoTime() < deadline) {
            boolean waiting = raw.withHandle(h -> h.createQuery(
                            "SELECT count(*) > 0 FROM pg_stat_activity WHERE :pid = ANY(pg_blocking_pids(pid))")
                    .bind("pid", pid).mapTo(Boolean.class).one());
            if (waiting) {
                return true;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
        }
        return false;
    }

    private JsonNode secretsHealth(CliRun cli, int expectedExit) throws Exception {
        CliRun.Result run = cli.run("--json", "health");
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(expectedExit);
        return Json.MAPPER.readTree(run.stdout()).at("/components/secrets");
    }

    private void assertEveryTokenDecryptsWith(String keys) {
        TokenVault vault = new TokenVault(Keyring.parse(keys), new SecureRandom());
        List<Map<String, Object>> rows = raw.withHandle(h -> h.createQuery(
                "SELECT id, org_id, access_token_enc FROM integrations").mapToMap().list());
        for (Map<String, Object> row : rows) {
            Secret plain = vault.decrypt((String) row.get("access_token_enc"), SecretColumns.INTEGRATION_ACCESS_TOKEN
                    .slot((UUID) row.get("org_id"), (UUID) row.get("id")));
            assertThat(plain.reveal()).matches("ya29\\.token-\\d-abcdefgh|EAAbulk\\d+");
        }
    }

    private List<String> ciphertexts() {
        return raw.withHandle(h -> h.createQuery("""
                SELECT access_token_enc FROM integrations WHERE access_token_enc IS NOT NULL
                UNION ALL
                SELECT refresh_token_enc FROM integrations WHERE refresh_token_enc IS NOT NULL
                ORDER BY 1
                """).mapTo(String.class).list());
    }
}
