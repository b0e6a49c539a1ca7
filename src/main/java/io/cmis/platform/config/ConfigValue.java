package io.cmis.platform.config;

/** One effective setting and where it came from. */
public record ConfigValue(String key, String value, Source source) {
    public enum Source { DEFAULT, FILE, ENVIRONMENT }

    /** Keys whose values are credentials: masked in {@code config show}. */
    public boolean isSecret() {
        // A Slack-style incoming webhook URL is itself the credential; so may a forward URL be.
        return key.endsWith("secret") || key.endsWith("password") || key.endsWith("token")
                || key.equals("encryption.keys") || key.equals("alerts.webhook-url")
                || key.equals("webhooks.forward-url");
    }

    public String displayValue() {
        if (isSecret() && !value.isEmpty()) {
            return "****";
        }
        if (key.startsWith("database.") && key.endsWith("url")) {
            // A JDBC URL may carry the password in its query string (?password=...).
            return DatabaseSettings.redact(value);
        }
        return value;
    }
}
