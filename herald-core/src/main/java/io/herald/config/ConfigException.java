package io.herald.config;

/** A start-up error in the configuration; the message names the offending key's path. */
public class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String path, String problem) {
        super(path + ": " + problem);
    }
}
