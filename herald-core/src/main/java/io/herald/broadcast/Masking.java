package io.herald.broadcast;

import io.herald.config.MaskType;

/** The masking functions of table fields. Pure and thread-safe. */
public final class Masking {
    static final String REDACTED = "[redacted]";

    private Masking() {
    }

    /** Masks a string value; non-string values are masked by the caller as {@code redact}. */
    public static String mask(MaskType type, String value) {
        return switch (type) {
            case SSN -> ssn(value);
            case EMAIL -> email(value);
            case PHONE -> phone(value);
            case NAME -> value.isEmpty() ? "***" : value.substring(0, Character.charCount(value.codePointAt(0))) + "***";
            case REDACT -> REDACTED;
        };
    }

    /** {@code 123-45-6789} → {@code *****6789}: the last four digits behind five stars. */
    private static String ssn(String v) {
        StringBuilder last4 = new StringBuilder(4);
        for (int i = v.length() - 1; i >= 0 && last4.length() < 4; i--) {
            char c = v.charAt(i);
            if (c >= '0' && c <= '9') {
                last4.insert(0, c);
            }
        }
        return last4.length() < 4 ? "*****" : "*****" + last4;
    }

    /** {@code jane@acme.com} → {@code j***@acme.com}. */
    private static String email(String v) {
        int at = v.lastIndexOf('@');
        if (at <= 0) {
            return REDACTED;
        }
        return v.substring(0, Character.charCount(v.codePointAt(0))) + "***" + v.substring(at);
    }

    /** Every digit but the last four becomes {@code *}; separators stay. */
    private static String phone(String v) {
        int digits = 0;
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c >= '0' && c <= '9') {
                digits++;
            }
        }
        int toHide = Math.max(0, digits - 4);
        StringBuilder out = new StringBuilder(v.length());
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c >= '0' && c <= '9' && toHide > 0) {
                out.append('*');
                toHide--;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
