package io.herald.yjs;

/** Shared range checks for the model records: clocks and lengths stay within 2^53 − 1. */
final class Structs {
    private Structs() {
    }

    static void requireClock(String what, long v) {
        if (v < 0 || v > Lib0Decoder.MAX_SAFE_INTEGER) {
            throw new YjsFormatException(what + " " + v + " is outside 0 .. 2^53-1");
        }
    }

    static void requireRange(long clock, long length) {
        requireClock("clock", clock);
        if (length < 1 || length > Lib0Decoder.MAX_SAFE_INTEGER - clock) {
            throw new YjsFormatException("struct length " + length + " at clock " + clock + " is out of range");
        }
    }
}
