package io.cmis.platform.platforms;

import java.util.Optional;
import java.util.UUID;

/**
 * A platform call that did not succeed, classified. Carries the platform, the org and the endpoint
 * template so one log line says everything; never a token or a full URL.
 */
public abstract class PlatformException extends RuntimeException {
    private final String platform;
    private final String endpoint;
    private final String errorCode;
    private transient UUID orgId;

    protected PlatformException(String platform, String endpoint, String errorCode, String message) {
        super(message);
        this.platform = platform;
        this.endpoint = endpoint;
        this.errorCode = errorCode;
    }

    public String platform() {
        return platform;
    }

    public String endpoint() {
        return endpoint;
    }

    /** The platform's own code (e.g. {@code 190/463}, {@code invalid_grant}, {@code 40100}), or the HTTP status. */
    public String errorCode() {
        return errorCode;
    }

    public Optional<UUID> orgId() {
        return Optional.ofNullable(orgId);
    }

    public PlatformException inOrg(UUID org) {
        this.orgId = org;
        return this;
    }

    /** Whether the guarded client may try the same read again, and the breaker counts it as a failure. */
    public boolean transientFailure() {
        return false;
    }

    @Override
    public String getMessage() {
        return platform + " " + endpoint + ": " + super.getMessage() + (errorCode == null ? "" : " [" + errorCode + "]")
                + (orgId == null ? "" : " (org " + orgId + ")");
    }

    /** How the API-call log names this failure. */
    public String outcome() {
        return "permanent";
    }
}
