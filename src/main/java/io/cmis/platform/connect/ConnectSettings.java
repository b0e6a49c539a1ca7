package io.cmis.platform.connect;

import io.cmis.platform.config.AppConfig;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * Per-platform redirect URIs and default scopes ({@code <platform>.redirect-uris}, {@code <platform>.scopes}),
 * the flows' lifetimes, and where a browser may be sent back to the application ({@code connect.return-urls}).
 */
record ConnectSettings(AppConfig config, Duration stateTtl, Duration startLinkTtl, ReturnUrls returnUrls) {
    static ConnectSettings from(AppConfig config) {
        return new ConnectSettings(config, config.duration("connect.state-ttl"), config.duration("connect.start-link-ttl"),
                ReturnUrls.parse(config.value(ReturnUrls.KEY)));
    }

    List<String> redirectUris(String platform) {
        return list(config.value(platform + ".redirect-uris"));
    }

    List<String> defaultScopes(String platform) {
        return list(config.value(platform + ".scopes"));
    }

    static List<String> list(String text) {
        return Arrays.stream(text.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }
}
