package io.cmis.platform.integrations;

import java.util.UUID;

/** No integration with that id (in any org the caller may see). */
public class IntegrationNotFoundException extends IllegalArgumentException {
    public IntegrationNotFoundException(UUID id) {
        super("no integration with id " + id + "; 'cmis-platform integrations list' shows the ids");
    }
}
