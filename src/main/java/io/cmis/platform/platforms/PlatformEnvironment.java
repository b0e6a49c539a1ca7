package io.cmis.platform.platforms;

import io.cmis.platform.config.AppConfig;
import io.cmis.platform.http.GuardedHttpClient;

import java.time.Clock;

/** What every connector is built from: the configuration, the guarded HTTP path and the clock. */
public record PlatformEnvironment(AppConfig config, GuardedHttpClient http, Clock clock) {
}
