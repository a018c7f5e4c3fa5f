package io.herald.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** The masking functions a table field can be given. */
public enum MaskType {
    SSN, EMAIL, PHONE, NAME, REDACT;

    @JsonCreator
    public static MaskType parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new ConfigException("masking.type", "'" + s + "' is not one of ssn, email, phone, name, redact");
        }
    }

    @JsonValue
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
