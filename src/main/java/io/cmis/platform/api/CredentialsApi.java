package io.cmis.platform.api;

import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code POST /integrations/{id}/credentials} and {@code POST /channels/{id}/credentials}: fresh
 * credentials of the key's org (see {@link Credentials}); 409 when only a reconnect helps or a channel
 * has no token of its own, 503 with Retry-After when a refresh failed transiently.
 */
final class CredentialsApi {
    private final Credentials credentials;

    CredentialsApi(Credentials credentials) {
        this.credentials = credentials;
    }

    void mount(ApiRoutes routes) {
        routes.add("POST", "/integrations/{id}/credentials", ApiScope.CREDENTIALS_READ, call -> answer(() ->
                        credentials.ofIntegration(call.caller().org(), call.id("id"),
                                CredentialReader.api(call.caller().keyId()))))
                .add("POST", "/channels/{id}/credentials", ApiScope.CREDENTIALS_READ, call -> answer(() ->
                        credentials.ofChannel(call.caller().org(), call.id("id"),
                                CredentialReader.api(call.caller().keyId()))));
    }

    private static ApiResponse answer(Supplier<CredentialsDocument> read) {
        try {
            return ApiResponse.ok(read.get());
        } catch (ChannelNotFoundException e) {
            throw ApiError.notFound();
        } catch (CredentialsRefusedException e) {
            Map<String, String> headers = e.retryAfter().map(d -> Map.of("Retry-After", Long.toString(d.toSeconds())))
                    .orElse(Map.of());
            int status = e.code().equals(CredentialsRefusedException.REFRESH_UNAVAILABLE) ? 503 : 409;
            throw new ApiError(status, e.code(), e.getMessage(), headers);
        }
    }
}
