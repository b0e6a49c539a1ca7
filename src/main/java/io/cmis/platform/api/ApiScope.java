package io.cmis.platform.api;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** What an API key may do. A key holds a set of them; a route names the one it needs. */
public enum ApiScope {
    /** List and show integrations, channels and ad accounts (never a token). */
    INTEGRATIONS_READ("integrations:read"),
    /** Read an integration's or channel's credentials, refreshed first when due. */
    CREDENTIALS_READ("credentials:read"),
    /** Start a connect flow for the key's org. */
    CONNECT("connect"),
    /** Call the platforms through serve's guarded proxy with an integration's token. */
    PROXY("proxy");

    private final String text;

    ApiScope(String text) {
        this.text = text;
    }

    public String text() {
        return text;
    }

    public static Optional<ApiScope> parse(String text) {
        return Arrays.stream(values()).filter(s -> s.text.equals(text)).findFirst();
    }

    public static List<String> names() {
        return Arrays.stream(values()).map(ApiScope::text).toList();
    }

    @Override
    public String toString() {
        return text;
    }
}
