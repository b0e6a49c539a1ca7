package io.cmis.platform.sandbox;

import io.cmis.platform.config.ConfigLoader;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/** All platform simulators together, and the settings that point the tool at them. */
public final class Sandbox implements AutoCloseable {
    /** Where {@code serve} answers OAuth callbacks on its default port. */
    public static final String CALLBACK_BASE = "http://127.0.0.1:8080/oauth/callback/";
    /** The simulated platforms in port order: the first listens on the port base, the next on base + 1, ... */
    public static final java.util.List<String> PLATFORMS = java.util.List.of("meta", "google", "tiktok", "snapchat",
            "linkedin", "x");

    private final MetaSimulator meta;
    private final GoogleSimulator google;
    private final TikTokSimulator tiktok;
    private final SnapchatSimulator snapchat;
    private final LinkedInSimulator linkedin;
    private final XSimulator x;

    private Sandbox(MetaSimulator meta, GoogleSimulator google, TikTokSimulator tiktok, SnapchatSimulator snapchat,
                    LinkedInSimulator linkedin, XSimulator x) {
        this.meta = meta;
        this.google = google;
        this.tiktok = tiktok;
        this.snapchat = snapchat;
        this.linkedin = linkedin;
        this.x = x;
    }

    /** Starts the simulators on {@code portBase}, +1, +2, +3, +4, +5; port base 0 picks free ports. */
    public static Sandbox start(int portBase, Clock clock) {
        MetaSimulator meta = new MetaSimulator(portBase == 0 ? 0 : portBase, clock);
        GoogleSimulator google = new GoogleSimulator(portBase == 0 ? 0 : portBase + 1, clock);
        TikTokSimulator tiktok = new TikTokSimulator(portBase == 0 ? 0 : portBase + 2, clock);
        SnapchatSimulator snapchat = new SnapchatSimulator(portBase == 0 ? 0 : portBase + 3, clock);
        LinkedInSimulator linkedin = new LinkedInSimulator(portBase == 0 ? 0 : portBase + 4, clock);
        XSimulator x = new XSimulator(portBase == 0 ? 0 : portBase + 5, clock);
        meta.start();
        google.start();
        tiktok.start();
        snapchat.start();
        linkedin.start();
        x.start();
        return new Sandbox(meta, google, tiktok, snapchat, linkedin, x);
    }

    public MetaSimulator meta() {
        return meta;
    }

    public GoogleSimulator google() {
        return google;
    }

    public TikTokSimulator tiktok() {
        return tiktok;
    }

    public SnapchatSimulator snapchat() {
        return snapchat;
    }

    public LinkedInSimulator linkedin() {
        return linkedin;
    }

    public XSimulator x() {
        return x;
    }

    /** Configuration keys (not environment names) that point every connector at the simulators. */
    public Map<String, String> settings() {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("meta.client-id", MetaSimulator.CLIENT_ID);
        s.put("meta.client-secret", MetaSimulator.CLIENT_SECRET);
        s.put("meta.verify-token", MetaSimulator.VERIFY_TOKEN);
        s.put("meta.graph-url", meta.baseUrl());
        s.put("meta.dialog-url", meta.baseUrl());
        s.put("google.client-id", GoogleSimulator.CLIENT_ID);
        s.put("google.client-secret", GoogleSimulator.CLIENT_SECRET);
        s.put("google.auth-url", google.baseUrl() + "/o/oauth2/v2/auth");
        s.put("google.token-url", google.baseUrl() + "/token");
        s.put("google.userinfo-url", google.baseUrl() + "/v1/userinfo");
        s.put("google.ads-url", google.baseUrl());
        s.put("google.ads-developer-token", GoogleSimulator.DEVELOPER_TOKEN);
        s.put("google.youtube-url", google.baseUrl() + "/youtube/v3");
        s.put("google.pubsub-audience", GoogleSimulator.PUSH_AUDIENCE);
        s.put("google.pubsub-jwks-url", google.baseUrl() + "/oauth2/v3/certs");
        s.put("google.pubsub-service-account", GoogleSimulator.PUSH_SERVICE_ACCOUNT);
        s.put("tiktok.app-id", TikTokSimulator.APP_ID);
        s.put("tiktok.secret", TikTokSimulator.SECRET);
        s.put("tiktok.api-url", tiktok.baseUrl());
        s.put("tiktok.auth-url", tiktok.baseUrl());
        s.put("tiktok.account-auth-url", tiktok.baseUrl() + "/v2/auth/authorize/");
        s.put("snapchat.client-id", SnapchatSimulator.CLIENT_ID);
        s.put("snapchat.client-secret", SnapchatSimulator.CLIENT_SECRET);
        // One simulator plays all three hosts: accounts, the Ads API and the Public Profile API.
        s.put("snapchat.auth-url", snapchat.baseUrl());
        s.put("snapchat.api-url", snapchat.baseUrl());
        s.put("snapchat.profile-api-url", snapchat.baseUrl());
        s.put("linkedin.client-id", LinkedInSimulator.CLIENT_ID);
        s.put("linkedin.client-secret", LinkedInSimulator.CLIENT_SECRET);
        s.put("linkedin.auth-url", linkedin.baseUrl());
        s.put("linkedin.api-url", linkedin.baseUrl());
        s.put("x.consumer-key", XSimulator.CONSUMER_KEY);
        s.put("x.consumer-secret", XSimulator.CONSUMER_SECRET);
        // One simulator plays both hosts: api.x.com (the OAuth legs) and ads-api.x.com.
        s.put("x.api-url", x.baseUrl());
        s.put("x.ads-api-url", x.baseUrl());
        for (String platform : PLATFORMS) {
            s.put(platform + ".redirect-uris", CALLBACK_BASE + platform);
        }
        return s;
    }

    /** The same settings as environment variables ({@code CMIS_...}). */
    public Map<String, String> environment() {
        Map<String, String> env = new LinkedHashMap<>();
        settings().forEach((k, v) -> env.put(ConfigLoader.environmentName(k), v));
        return env;
    }

    @Override
    public void close() {
        meta.close();
        google.close();
        tiktok.close();
        snapchat.close();
        linkedin.close();
        x.close();
    }
}
