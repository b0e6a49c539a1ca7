package io.cmis.platform.platforms;

import java.util.List;
import java.util.Optional;

/** What a connect flow needs to build the platform's authorization URL. */
public record AuthorizationRequest(String state, String redirectUri, List<String> scopes,
                                   Optional<String> codeChallenge, String tokenKind) {
}
