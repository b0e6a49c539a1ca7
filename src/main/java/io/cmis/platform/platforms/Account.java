package io.cmis.platform.platforms;

/** Who a token belongs to on the platform. */
public record Account(String externalId, String name) {
}
