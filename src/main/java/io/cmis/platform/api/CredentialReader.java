package io.cmis.platform.api;

import java.util.UUID;

/** Who reads credentials, as recorded: {@code api} with the key's id, or {@code cli:<os user>}. */
public record CredentialReader(String name, UUID apiKeyId) {
    public static CredentialReader api(UUID keyId) {
        return new CredentialReader("api", keyId);
    }

    public static CredentialReader cli(String osUser) {
        return new CredentialReader("cli:" + (osUser == null || osUser.isBlank() ? "unknown" : osUser), null);
    }
}
