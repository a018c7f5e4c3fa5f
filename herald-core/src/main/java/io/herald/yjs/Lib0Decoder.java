package io.herald.yjs;

/**
 * A cursor over a byte array that reads lib0 primitives (spec section 2). Every read checks the
 * remaining length first, so truncated input fails with {@link YjsFormatException} and no
 * allocation is ever larger than the bytes actually left. Confined to one thread.
 */
public final class Lib0Decoder {
    /** The largest integer JavaScript represents exactly (2^53 − 1); larger varUints are rejected. */
    static final long MAX_SAFE_INTEGER = (1L << 53) - 1;

    private final byte[] buf;
    private final YjsLimits limits;
    private int pos;

    public Lib0Decoder(byte[] buf, YjsLimits limits) {
        this.buf = buf;
        this.limits = limits;
    }

    YjsLimits limits() {
        return limits;
    }

    int position() {
        return pos;
    }

    int remaining() {
        return buf.length - pos;
    }

    int readUint8() {
        if (pos >= buf.length) {
            throw truncated();
        }
        return buf[pos++] & 0xFF;
    }

    /** lib0 {@code readVarUint}; accepts non-minimal encodings like lib0, rejects values above 2^53 − 1. */
    public long readVarUint() {
        long num = 0;
        int shift = 0;
        while (true) {
            int r = readUint8();
            long bits = r & 0x7F;
            if (bits != 0) {
                if (shift > 52) {
                    throw new YjsFormatException("integer out of range");
                }
                num += bits << shift;
                if (num > MAX_SAFE_INTEGER) {
                    throw new YjsFormatException("integer out of range");
                }
            }
            if (r < 0x80) {
                return num;
            }
            // Zero groups past 53 bits keep the value in range; only the input length bounds them.
            shift = Math.min(shift + 7, 63);
        }
    }

    /**
     * A count of elements that each take at least one byte: it can never honestly exceed the
     * bytes left, so larger counts are rejected before any loop or allocation uses them.
     */
    int readCount(String what) {
        long n = readVarUint();
        if (n > remaining()) {
            throw new YjsFormatException(what + " count " + n + " exceeds the remaining input");
        }
        return (int) n;
    }

    /** lib0 {@code readVarInt}: sign-magnitude, first byte holds the sign and 6 bits. −0 is kept. */
    double readVarInt() {
        int r = readUint8();
        long num = r & 0x3F;
        boolean negative = (r & 0x40) != 0;
        int shift = 6;
        while ((r & 0x80) != 0) {
            r = readUint8();
            long bits = r & 0x7F;
            if (bits != 0) {
                if (shift > 52) {
                    throw new YjsFormatException("integer out of range");
                }
                num += bits << shift;
                if (num > MAX_SAFE_INTEGER) {
                    throw new YjsFormatException("integer out of range");
                }
            }
            shift = Math.min(shift + 7, 63);
        }
        return negative ? -(double) num : (double) num;
    }

    public String readVarString() {
        int len = readLength("string");
        String s = Utf8.decode(buf, pos, len);
        pos += len;
        return s;
    }

    public byte[] readVarUint8Array() {
        int len = readLength("byte array");
        byte[] out = new byte[len];
        System.arraycopy(buf, pos, out, 0, len);
        pos += len;
        return out;
    }

    double readFloat32() {
        return Float.intBitsToFloat((int) readBigEndian(4));
    }

    double readFloat64() {
        return Double.longBitsToDouble(readBigEndian(8));
    }

    long readBigInt64() {
        return readBigEndian(8);
    }

    private long readBigEndian(int bytes) {
        if (remaining() < bytes) {
            throw truncated();
        }
        long v = 0;
        for (int i = 0; i < bytes; i++) {
            v = (v << 8) | (buf[pos++] & 0xFF);
        }
        return v;
    }

    private int readLength(String what) {
        long len = readVarUint();
        if (len > remaining()) {
            throw truncated();
        }
        if (len > limits.maxPayloadBytes()) {
            throw new YjsFormatException(what + " of " + len + " bytes exceeds the limit of " + limits.maxPayloadBytes());
        }
        return (int) len;
    }

    static YjsFormatException truncated() {
        return new YjsFormatException("unexpected end of input");
    }
}
