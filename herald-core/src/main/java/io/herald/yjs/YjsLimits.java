package io.herald.yjs;

import io.herald.config.ConfigException;

/**
 * Caps the codec applies to untrusted bytes, so that no count or length read from the input can
 * make it allocate or recurse without bound. Immutable; validated on construction
 * (a {@link ConfigException} names the offending key).
 *
 * @param maxStructs       most structs one update may hold (each costs a record when decoded)
 * @param maxDeleteRanges  most delete-set ranges one operation keeps in memory (merge sorts them all)
 * @param maxPayloadBytes  longest single string or byte array inside an update
 * @param maxNestingDepth  deepest nesting of arrays and objects in an {@code Any} or JSON value
 */
public record YjsLimits(int maxStructs, int maxDeleteRanges, int maxPayloadBytes, int maxNestingDepth) {
    public static final int DEFAULT_MAX_STRUCTS = 10_000_000;
    public static final int DEFAULT_MAX_DELETE_RANGES = 10_000_000;
    public static final int DEFAULT_MAX_PAYLOAD_BYTES = 32 * 1024 * 1024;
    public static final int DEFAULT_MAX_NESTING_DEPTH = 256;

    /** The defaults: generous for any document a browser can hold, small enough to stop abuse. */
    public static final YjsLimits DEFAULTS = new YjsLimits(
            DEFAULT_MAX_STRUCTS, DEFAULT_MAX_DELETE_RANGES, DEFAULT_MAX_PAYLOAD_BYTES, DEFAULT_MAX_NESTING_DEPTH);

    public YjsLimits {
        requirePositive("maxStructs", maxStructs);
        requirePositive("maxDeleteRanges", maxDeleteRanges);
        requirePositive("maxPayloadBytes", maxPayloadBytes);
        requirePositive("maxNestingDepth", maxNestingDepth);
    }

    private static void requirePositive(String key, int value) {
        if (value < 1) {
            throw new ConfigException("yjs." + key, "must be at least 1, was " + value);
        }
    }
}
