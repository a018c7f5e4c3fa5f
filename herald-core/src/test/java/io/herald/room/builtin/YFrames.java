package io.herald.room.builtin;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * y-websocket frames written and read by hand for the tests (spec y-websocket-protocol.md §2-§5),
 * independent of the room's own {@link YWire}, plus small real Yjs updates of one Y.Text.
 */
final class YFrames {
    static final HexFormat HEX = HexFormat.of();

    private YFrames() {
    }

    /** One awareness entry; {@code state} is the JSON text, {@code "null"} for a removal. */
    record Entry(long client, long clock, String state) {
    }

    static byte[] step1(byte[] stateVector) {
        return frame(0, 0, stateVector);
    }

    static byte[] step2(byte[] update) {
        return frame(0, 1, update);
    }

    static byte[] update(byte[] update) {
        return frame(0, 2, update);
    }

    static byte[] awareness(Entry... entries) {
        Out body = new Out().varUint(entries.length);
        for (Entry e : entries) {
            body.varUint(e.client()).varUint(e.clock()).bytes(e.state().getBytes(StandardCharsets.UTF_8));
        }
        return new Out().varUint(1).bytes(body.toBytes()).toBytes();
    }

    static byte[] queryAwareness() {
        return new byte[] {3};
    }

    private static byte[] frame(int type, int syncType, byte[] payload) {
        return new Out().varUint(type).varUint(syncType).bytes(payload).toBytes();
    }

    /** The payload of a sync frame of {@code syncType} (0 step 1, 1 step 2, 2 update); fails on anything else. */
    static byte[] sync(byte[] frame, int syncType) {
        In in = new In(frame);
        assertThat(in.varUint()).as("message type of %s", hex(frame)).isZero();
        assertThat(in.varUint()).as("sync type of %s", hex(frame)).isEqualTo(syncType);
        byte[] payload = in.bytes();
        assertThat(in.pos).as("trailing bytes in %s", hex(frame)).isEqualTo(frame.length);
        return payload;
    }

    /** The entries of an awareness frame; fails on anything else. */
    static List<Entry> awarenessEntries(byte[] frame) {
        In outer = new In(frame);
        assertThat(outer.varUint()).as("message type of %s", hex(frame)).isEqualTo(1);
        In in = new In(outer.bytes());
        long n = in.varUint();
        List<Entry> entries = new ArrayList<>();
        for (long i = 0; i < n; i++) {
            entries.add(new Entry(in.varUint(), in.varUint(), new String(in.bytes(), StandardCharsets.UTF_8)));
        }
        return entries;
    }

    /** The reason of a permission-denied auth frame ({@code 02 00 varString}); fails on anything else. */
    static String permissionDenied(byte[] frame) {
        In in = new In(frame);
        assertThat(in.varUint()).as("message type of %s", hex(frame)).isEqualTo(2);
        assertThat(in.varUint()).as("auth type of %s", hex(frame)).isZero();
        return new String(in.bytes(), StandardCharsets.UTF_8);
    }

    /**
     * Edit {@code clock} of a Y.Text named "text" by {@code client}: character {@code c} inserted after
     * the client's previous one (spec yjs-update-format: one Item, String content, info 0x04 with the
     * root parent for the first, 0x84 with the origin afterwards), and an empty delete set.
     */
    static byte[] typed(long client, long clock, char c) {
        Out u = new Out().varUint(1).varUint(1).varUint(client).varUint(clock);
        if (clock == 0) {
            u.u8(0x04).varUint(1).bytes("text".getBytes(StandardCharsets.UTF_8));
        } else {
            u.u8(0x84).varUint(client).varUint(clock - 1);
        }
        return u.bytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8)).varUint(0).toBytes();
    }

    /** One update inserting {@code text} (ASCII, not empty) as one item at the start of "text". */
    static byte[] inserted(long client, String text) {
        return new Out().varUint(1).varUint(1).varUint(client).varUint(0)
                .u8(0x04).varUint(1).bytes("text".getBytes(StandardCharsets.UTF_8))
                .bytes(text.getBytes(StandardCharsets.UTF_8)).varUint(0).toBytes();
    }

    static byte[] hex(String s) {
        return HEX.parseHex(s.replace(" ", ""));
    }

    static String hex(byte[] b) {
        return HEX.formatHex(b);
    }

    /** lib0 writing: bytes, varUint and length-prefixed bytes. */
    static final class Out {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Out varUint(long v) {
            while (v > 0x7F) {
                out.write((int) (v & 0x7F) | 0x80);
                v >>>= 7;
            }
            out.write((int) v);
            return this;
        }

        Out u8(int b) {
            out.write(b);
            return this;
        }

        Out bytes(byte[] b) {
            varUint(b.length);
            out.write(b, 0, b.length);
            return this;
        }

        byte[] toBytes() {
            return out.toByteArray();
        }
    }

    private static final class In {
        private final byte[] buf;
        private int pos;

        In(byte[] buf) {
            this.buf = buf;
        }

        long varUint() {
            long v = 0;
            for (int shift = 0; ; shift += 7) {
                int b = buf[pos++] & 0xFF;
                v |= (long) (b & 0x7F) << shift;
                if (b < 0x80) {
                    return v;
                }
            }
        }

        byte[] bytes() {
            int n = (int) varUint();
            byte[] out = java.util.Arrays.copyOfRange(buf, pos, pos + n);
            pos += n;
            return out;
        }
    }
}
