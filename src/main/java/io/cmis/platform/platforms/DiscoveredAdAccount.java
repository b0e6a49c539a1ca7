package io.cmis.platform.platforms;

import java.util.Optional;

/**
 * An ad account as the platform reports it. {@code status} is readable (active, disabled, ...);
 * {@code platformStatus} is the platform's own value.
 */
public record DiscoveredAdAccount(String externalId, String name, String currency, String timezone, String status,
                                  String platformStatus, boolean manager, Optional<String> managerExternalId) {
}
