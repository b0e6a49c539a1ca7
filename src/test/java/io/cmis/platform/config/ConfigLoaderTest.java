package io.cmis.platform.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigLoaderTest {
    @TempDir
    Path dir;

    @Test
    void defaults_then_file_then_environment() throws Exception {
        Path file = write("meta.api-version=v24.0\nhttp.timeout=45s\n");

        AppConfig config = new ConfigLoader(Map.of("CMIS_HTTP_TIMEOUT", "5s"), null).load(file);

        assertThat(config.value("meta.graph-url")).isEqualTo("https://graph.facebook.com");
        assertThat(source(config, "meta.graph-url")).isEqualTo(ConfigValue.Source.DEFAULT);
        assertThat(config.value("meta.api-version")).isEqualTo("v24.0");
        assertThat(source(config, "meta.api-version")).isEqualTo(ConfigValue.Source.FILE);
        assertThat(config.httpTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(source(config, "http.timeout")).isEqualTo(ConfigValue.Source.ENVIRONMENT);
    }

    @Test
    void environment_names_upper_case_the_key_with_dots_and_dashes_as_underscores() {
        assertThat(ConfigLoader.environmentName("meta.graph-url")).isEqualTo("CMIS_META_GRAPH_URL");
        AppConfig config = new ConfigLoader(Map.of("CMIS_GOOGLE_ADS_LOGIN_CUSTOMER_ID", "123"), null).load(null);
        assertThat(config.value("google.ads-login-customer-id")).isEqualTo("123");
    }

    @Test
    void the_pooler_is_none_or_transaction_and_transaction_needs_an_external_database() {
        String url = "jdbc:postgresql://pgbouncer:6432/cmis";
        DatabaseSettings pooled = new ConfigLoader(Map.of("CMIS_DATABASE_URL", url, "CMIS_DATABASE_POOLER", "Transaction",
                "CMIS_DATABASE_MIGRATION_URL", "jdbc:postgresql://db:5432/cmis"), null).load(null).database();
        assertThat(pooled.pooler()).isEqualTo(DatabaseSettings.Pooler.TRANSACTION);
        assertThat(pooled.migrationUrl()).contains("jdbc:postgresql://db:5432/cmis");
        assertThat(new ConfigLoader(Map.of(), null).load(null).database().pooler()).isEqualTo(DatabaseSettings.Pooler.NONE);

        assertThatThrownBy(() -> new ConfigLoader(Map.of("CMIS_DATABASE_URL", url, "CMIS_DATABASE_POOLER", "session"),
                null).load(null).database())
                .isInstanceOf(ConfigException.class).hasMessageContaining("not one of none, transaction");
        assertThatThrownBy(() -> new ConfigLoader(Map.of("CMIS_DATABASE_POOLER", "transaction"), null).load(null)
                .database())
                .isInstanceOf(ConfigException.class).hasMessageContaining("needs database.url");
        assertThatThrownBy(() -> new ConfigLoader(Map.of("CMIS_DATABASE_MIGRATION_URL", "postgres://db/cmis"), null)
                .load(null).database())
                .isInstanceOf(ConfigException.class).hasMessageContaining("database.migration-url");
    }

    @Test
    void an_unknown_key_in_a_file_is_an_error_with_a_suggestion() throws Exception {
        Path file = write("databse.url=jdbc:postgresql://x/y\n");

        assertThatThrownBy(() -> new ConfigLoader(Map.of(), null).load(file))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("unknown key 'databse.url'")
                .hasMessageContaining("did you mean 'database.url'");
    }

    @Test
    void an_unknown_cmis_variable_is_reported_not_fatal() {
        AppConfig config = new ConfigLoader(Map.of("CMIS_DATABSE_URL", "x", "CMIS_HOME", "/opt"), null).load(null);
        assertThat(config.unknownVariables()).containsExactly("CMIS_DATABSE_URL");
    }

    @Test
    void a_missing_file_and_a_directory_are_clear_errors() {
        assertThatThrownBy(() -> new ConfigLoader(Map.of(), null).load(dir.resolve("nope.properties")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("does not exist");
        assertThatThrownBy(() -> new ConfigLoader(Map.of(), null).load(dir))
                .isInstanceOf(ConfigException.class).hasMessageContaining("not a readable file");
    }

    @Test
    void a_file_that_does_not_parse_is_a_clear_error() throws Exception {
        Path broken = write("database.url=\\u12\n");
        assertThatThrownBy(() -> new ConfigLoader(Map.of(), null).load(broken))
                .isInstanceOf(ConfigException.class).hasMessageContaining("does not parse");
        Path binary = dir.resolve("binary.properties");
        Files.write(binary, new byte[] {(byte) 0xff, (byte) 0xfe, 0x00, 0x41});
        assertThatThrownBy(() -> new ConfigLoader(Map.of(), null).load(binary))
                .isInstanceOf(ConfigException.class).hasMessageContaining("UTF-8");
    }

    @Test
    void bad_values_name_their_key() {
        assertBad("CMIS_DATABASE_URL", "postgres://host/db", "database.url");
        assertBad("CMIS_DATABASE_POOL_SIZE", "zero", "database.pool-size");
        assertBad("CMIS_DATABASE_POOL_SIZE", "0", "database.pool-size");
        assertBad("CMIS_LOG_FORMAT", "xml", "log.format");
        assertBad("CMIS_LOG_LEVEL", "loud", "log.level");
        assertBad("CMIS_HTTP_TIMEOUT", "soon", "http.timeout");
        assertBad("CMIS_HTTP_TIMEOUT", "0s", "http.timeout");
        assertBad("CMIS_ENCRYPTION_KEYS", "k1:c2hvcnQ=", "encryption.keys");
        assertBad("CMIS_DATA_DIR", " ", "data.dir");
    }

    @Test
    void the_database_url_with_a_password_in_its_query_is_never_echoed() {
        assertThatThrownBy(() -> new ConfigLoader(Map.of("CMIS_DATABASE_URL", "postgres://h/db?password=hunter2"), null)
                .load(null)).hasMessageNotContaining("hunter2");
    }

    @Test
    void data_dir_expands_the_home_directory() {
        AppConfig config = new ConfigLoader(Map.of(), null).load(null);
        assertThat(config.dataDir()).isEqualTo(Path.of(System.getProperty("user.home"), ".cmis-platform"));
        assertThat(config.database().embedded()).isTrue();
    }

    @Test
    void secrets_are_masked_for_display_and_other_values_are_not() {
        AppConfig config = new ConfigLoader(Map.of("CMIS_META_CLIENT_SECRET", "s3cr3t",
                "CMIS_DATABASE_PASSWORD", "pw", "CMIS_META_VERIFY_TOKEN", "vt", "CMIS_META_CLIENT_ID", "123",
                "CMIS_ALERTS_WEBHOOK_URL", "https://hooks.slack.example/services/T0/B0/secretpart",
                "CMIS_WEBHOOKS_FORWARD_SECRET", "whsec_abc",
                "CMIS_DATABASE_URL", "jdbc:postgresql://db:5432/cmis?user=o&password=pw2",
                "CMIS_DATABASE_MIGRATION_URL", "jdbc:postgresql://direct:5432/cmis?password=pw3",
                "CMIS_DATABASE_MIGRATION_USER", "cmis_owner", "CMIS_DATABASE_MIGRATION_PASSWORD", "owner-pw4"), null)
                .load(null);
        Map<String, String> shown = new java.util.HashMap<>();
        config.all().forEach(v -> shown.put(v.key(), v.displayValue()));

        assertThat(shown).containsEntry("meta.client-secret", "****").containsEntry("database.password", "****")
                .containsEntry("meta.verify-token", "****").containsEntry("meta.client-id", "123")
                .containsEntry("encryption.keys", "").containsEntry("alerts.webhook-url", "****")
                .containsEntry("webhooks.forward-secret", "****")
                .containsEntry("database.url", "jdbc:postgresql://db:5432/cmis?…")
                .containsEntry("database.migration-url", "jdbc:postgresql://direct:5432/cmis?…");
        assertThat(shown).containsEntry("database.migration-user", "cmis_owner")
                .containsEntry("database.migration-password", "****");
        assertThat(shown.values()).noneMatch(v -> v.contains("pw2") || v.contains("pw3") || v.contains("pw4"));
    }

    @Test
    void a_role_prefix_names_roles_of_this_installation_only() {
        assertThat(new ConfigLoader(Map.of("CMIS_DATABASE_ROLE_PREFIX", "shop_eu"), null).load(null).database().rolePrefix())
                .contains("shop_eu");
        assertBad("CMIS_DATABASE_ROLE_PREFIX", "cmis", "database.role-prefix");
        assertBad("CMIS_DATABASE_ROLE_PREFIX", "Shop-EU", "database.role-prefix");
        assertBad("CMIS_DATABASE_ROLE_PREFIX", "p".repeat(57), "database.role-prefix");
    }

    @Test
    void the_installation_config_directory_supplies_the_defaults_when_present() throws Exception {
        Path home = dir.resolve("home");
        Files.createDirectories(home.resolve("config"));
        Files.writeString(home.resolve("config/cmis-platform.properties"), defaultsText().replace(
                "meta.api-version=v25.0", "meta.api-version=v26.0"));

        assertThat(new ConfigLoader(Map.of(), home).load(null).value("meta.api-version")).isEqualTo("v26.0");
    }

    @Test
    void the_packaged_defaults_are_the_repository_config_file() throws Exception {
        Properties packaged = new Properties();
        try (InputStream in = getClass().getResourceAsStream("/cmis-platform.properties")) {
            packaged.load(in);
        }
        Properties repository = new Properties();
        try (var reader = Files.newBufferedReader(Path.of("config/cmis-platform.properties"))) {
            repository.load(reader);
        }
        assertThat(packaged).isEqualTo(repository);
    }

    private void assertBad(String variable, String value, String key) {
        assertThatThrownBy(() -> new ConfigLoader(Map.of(variable, value), null).load(null))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(key);
    }

    private static ConfigValue.Source source(AppConfig config, String key) {
        return config.all().stream().filter(v -> v.key().equals(key)).findFirst().orElseThrow().source();
    }

    private static String defaultsText() throws Exception {
        return Files.readString(Path.of("config/cmis-platform.properties"));
    }

    private Path write(String text) throws Exception {
        Path file = Files.createTempFile(dir, "cfg", ".properties");
        Files.writeString(file, text);
        return file;
    }
}
