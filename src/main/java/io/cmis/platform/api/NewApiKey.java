package io.cmis.platform.api;

import io.cmis.platform.crypto.Secret;

/** A key just created: the only moment its value exists outside the caller's hands. */
public record NewApiKey(ApiKey key, Secret value) {
}
