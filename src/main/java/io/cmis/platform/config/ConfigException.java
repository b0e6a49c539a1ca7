package io.cmis.platform.config;

/** The configuration is wrong; the message names the key and says how to fix it (exit code 2). */
public class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
