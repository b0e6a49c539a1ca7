package io.cmis.platform.tokens;

import com.fasterxml.jackson.databind.JsonNode;
import io.cmis.platform.cli.Json;
import io.cmis.platform.crypto.Keyring;
import io.cmis.platform.crypto.Secret;
import io.cmis.platform.crypto.SecretColumns;
import io.cmis.platform.crypto.TokenVault;
import io.cmis.platform.support.CliRun;
import io.cmis.platform.support.TestKeys;
import io.cmis.platform.support.TestPostgres;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class KeyRotationTest {
    private static final int ROWS = 450; // more than two batches
    private String database;
    private Jdbi raw;

    @BeforeEach
    void integrationsUnderTheOldKey() {
        database = TestPostgres.freshDatabase();
        raw = TestPostgres.superuser(database);
        CliRun old = CliRun.against(database);
        String org = UUID.randomUUID().toString();
        for (int i = 0; i < 3; i++) {
            old.run("integrations", "add", "google", "--org", org, "--access-token", "ya29.token-" + i + "-abcdefgh",
                    "--refresh-token", "1//0refresh-" + i + "-abcdefgh", "--external-id", "acct-" + i).ok();
        }
        TokenVault oldVault = new TokenVault(Keyring.parse(TestKeys.K1), new SecureRandom());
        raw.useHandle(h -> {
            for (int i = 0; i < ROWS; i++) {
                UUID id = UUID.randomUUID();
                h.execute("INSERT INTO integrations (id, org_id, platform, external_account_id, access_token_enc) "
                                + "VALUES (?, ?, 'meta', ?, ?)", id, UUID.fromString(org), "bulk-" + i,
                        oldVault.encrypt(Secret.of("EAAbulk" + i), SecretColumns.INTEGRATION_ACCESS_TOKEN.slot(id)));
            }
        });
    }

    @Test
    void rotate_key_moves_every_secret_to_the_new_key_and_a_second_run_has_nothing_to_do() throws Exception {
        CliRun rotated = CliRun.against(database).env("CMIS_ENCRYPTION_KEYS", TestKeys.K2 + "," + TestKeys.K1);

        JsonNode first = Json.MAPPER.readTree(rotated.run("--json", "tokens", "rotate-key").ok().stdout());
        assertThat(first.get("active_key").asText()).isEqualTo("k2");
        assertThat(first.get("succeeded").asInt()).isEqualTo(ROWS + 3 + 3);
        assertThat(first.get("failed").asInt()).isZero();

        assertThat(ciphertexts()).allSatisfy(c -> assertThat(c).startsWith("v1.k2."));
        TokenVault onlyNewKey = new TokenVault(Keyring.parse(TestKeys.K2), new SecureRandom());
        List<Map<String, Object>> rows = raw.withHandle(h -> h.createQuery(
                "SELECT id, access_token_enc FROM integrations").mapToMap().list());
        for (Map<String, Object> row : rows) {
            Secret plain = onlyNewKey.decrypt((String) row.get("access_token_enc"),
                    SecretColumns.INTEGRATION_ACCESS_TOKEN.slot((UUID) row.get("id")));
            assertThat(plain.reveal()).matches("ya29\\.token-\\d-abcdefgh|EAAbulk\\d+");
        }

        JsonNode second = Json.MAPPER.readTree(rotated.run("--json", "tokens", "rotate-key").ok().stdout());
        assertThat(second.get("succeeded").asInt()).isZero();
        assertThat(second.get("skipped").asInt()).isEqualTo(ROWS + 6);
    }

    @Test
    void a_secret_that_cannot_be_decrypted_is_counted_and_the_rest_still_rotate() {
        UUID victim = raw.withHandle(h -> h.createQuery("SELECT id FROM integrations WHERE external_account_id = 'bulk-7'")
                .mapTo(UUID.class).one());
        UUID other = raw.withHandle(h -> h.createQuery("SELECT id FROM integrations WHERE external_account_id = 'bulk-8'")
                .mapTo(UUID.class).one());
        // A ciphertext moved to another row: authentic, but bound to the wrong row.
        raw.useHandle(h -> h.execute("UPDATE integrations SET access_token_enc = "
                + "(SELECT access_token_enc FROM integrations WHERE id = ?) WHERE id = ?", other, victim));

        CliRun.Result result = CliRun.against(database).env("CMIS_ENCRYPTION_KEYS", TestKeys.K2 + "," + TestKeys.K1)
                .run("tokens", "rotate-key");

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
        assertThat(result.stdout()).contains("1 could not be decrypted");
        assertThat(ciphertexts().stream().filter(c -> c.startsWith("v1.k1.")).count()).isEqualTo(1);
    }

    @Test
    void rotation_that_stops_part_way_resumes_where_it_left_off() {
        TokenVault both = new TokenVault(Keyring.parse(TestKeys.K2 + "," + TestKeys.K1), new SecureRandom());
        KeyRotation rotation = new KeyRotation(new io.cmis.platform.tenancy.Tenancy(raw), both);
        // As if killed after the access tokens: the refresh tokens are still under the old key.
        KeyRotation.ColumnResult access = rotation.rotate(SecretColumns.INTEGRATION_ACCESS_TOKEN);
        assertThat(access.rotated()).isEqualTo(ROWS + 3);

        List<KeyRotation.ColumnResult> rest = rotation.rotateAll();

        assertThat(rest).filteredOn(r -> r.column().equals("integrations.access_token_enc"))
                .singleElement().satisfies(r -> assertThat(r.rotated()).isZero());
        assertThat(rest).filteredOn(r -> r.column().equals("integrations.refresh_token_enc"))
                .singleElement().satisfies(r -> assertThat(r.rotated()).isEqualTo(3));
        assertThat(ciphertexts()).allSatisfy(c -> assertThat(c).startsWith("v1.k2."));
    }

    private List<String> ciphertexts() {
        return raw.withHandle(h -> h.createQuery("""
                SELECT access_token_enc FROM integrations WHERE access_token_enc IS NOT NULL
                UNION ALL
                SELECT refresh_token_enc FROM integrations WHERE refresh_token_enc IS NOT NULL
                """).mapTo(String.class).list());
    }
}
