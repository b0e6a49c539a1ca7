package io.cmis.platform.platforms;

import io.cmis.platform.crypto.Secret;

import java.util.Map;
import java.util.Optional;

/**
 * A page, Instagram business account, YouTube channel or TikTok account as the platform reports it.
 * {@code type}: facebook_page, instagram_business, youtube_channel, tiktok_account, snapchat_profile, linkedin_page,
 * x_account.
 */
public record DiscoveredChannel(String type, String externalId, String name, Optional<Secret> accessToken,
                                Optional<String> parentExternalId, Map<String, String> metadata) {
}
