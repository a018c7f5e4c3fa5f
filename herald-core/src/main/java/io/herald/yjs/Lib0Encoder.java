package io.herald.yjs;

import java.util.Arrays;

/**
 * A growable byte buffer that writes lib0 primitives in their canonical (shortest) form, as
 * yjs writes them (spec section 2). Confined to one thread.
 */
public final class Lib0Encoder {
    private byte[] buf;
    private int len;

    public Lib0Encoder() {
        this(64);
    }

    Lib0Encoder(int initialCapacity) {
        buf = new byte[Math.max(16, initialCapacity)];
    }

    int length() {
        return len;
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(buf, len);
    }

    private void ensure(int extra) {
        if (len + extra > buf.length) {
            long wanted = Math.max((long) buf.length * 2, (long) len + extra);
            if (wanted > Integer.MAX_VALUE - 8) {
                throw new YjsFormatException("encoded update exceeds 2 GiB");
            }
            buf = Arrays.copyOf(buf, (int) wanted);
        }
    }

    /** One byte as it is (an info byte, a content reference). */
    public void writeUint8(int b) {
        ensure(1);
        buf[len++] = (byte) b;
    }

    public void writeVarUint(long v) {
        ensure(10);
        long n = v;
        while (n > 0x7F) {
            buf[len++] = (byte) (0x80 | (n & 0x7F));
            n >>>= 7;
        }
        buf[len++] = (byte) n;
    }

    /** Writes an integral magnitude with a sign bit; {@code negative} with magnitude 0 is −0 ({@code 40}). */
    void writeVarInt(long magnitude, boolean negative) {
        ensure(11);
        long n = magnitude;
        int first = (int) (n & 0x3F) | (negative ? 0x40 : 0) | (n > 0x3F ? 0x80 : 0);
        buf[len++] = (byte) first;
        n >>>= 6;
        while (n > 0) {
            buf[len++] = (byte) ((n > 0x7F ? 0x80 : 0) | (n & 0x7F));
            n >>>= 7;
        }
    }

    public void writeVarString(String s) {
        int bytes = Utf8.encodedLength(s);
        writeVarUint(bytes);
        ensure(bytes);
        len = Utf8.encode(s, buf, len);
    }

    public void writeVarUint8Array(byte[] b) {
        writeVarUint(b.length);
        writeBytes(b, 0, b.length);
    }

    void writeBytes(byte[] b, int off, int n) {
        ensure(n);
        System.arraycopy(b, off, buf, len, n);
        len += n;
    }

    void writeFloat32(float f) {
        writeBigEndian(Float.floatToIntBits(f) & 0xFFFFFFFFL, 4);
    }

    /** Raw bits: V8's DataView keeps a NaN's payload from read to write, so must we (node-checked). */
    void writeFloat64(double d) {
        writeBigEndian(Double.doubleToRawLongBits(d), 8);
    }

    void writeBigInt64(long v) {
        writeBigEndian(v, 8);
    }

    private void writeBigEndian(long v, int bytes) {
        ensure(bytes);
        for (int i = bytes - 1; i >= 0; i--) {
            buf[len++] = (byte) (v >>> (8 * i));
        }
    }
}
