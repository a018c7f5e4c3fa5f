package io.herald.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FrameParserTest {
    /** What the parser reported, as text, so a whole stream compares in one assertion. */
    private static final class Recorder implements FrameParser.Listener {
        final List<String> events = new ArrayList<>();

        @Override
        public void onMessage(long ts, long length, int b0, int b1) {
            events.add("msg ts=" + ts + " len=" + length + " b0=" + (char) b0 + " b1=" + (char) b1);
        }

        @Override
        public void onPing(byte[] payload, int length) {
            events.add("ping " + new String(payload, 0, length, StandardCharsets.UTF_8));
        }

        @Override
        public void onClose(int code) {
            events.add("close " + code);
        }
    }

    private static byte[] frame(int firstByte, byte[] payload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(firstByte);
        if (payload.length < 126) {
            out.write(payload.length);
        } else if (payload.length <= 0xffff) {
            out.write(126);
            out.write(payload.length >> 8);
            out.write(payload.length & 0xff);
        } else {
            out.write(127);
            for (int i = 7; i >= 0; i--) {
                out.write((int) ((long) payload.length >> (8 * i)) & 0xff);
            }
        }
        out.writeBytes(payload);
        return out.toByteArray();
    }

    private static byte[] text(String s) {
        return frame(0x81, s.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] stream() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(text("{\"type\":\"broadcast\",\"payload\":{\"ts\":1700000000123456,\"pad\":\"xx\"}}"));
        out.writeBytes(frame(0x89, "hi".getBytes(StandardCharsets.UTF_8)));
        out.writeBytes(text("42[\"bench\",{\"ts\":42}]"));
        out.writeBytes(text("{\"no\":\"timestamp\",\"ts\"x:1}"));
        out.writeBytes(text("x".repeat(300) + "{\"\"ts\":7}"));
        out.writeBytes(frame(0x01, "{\"t".getBytes(StandardCharsets.UTF_8)));
        out.writeBytes(frame(0x80, "s\":99}".getBytes(StandardCharsets.UTF_8)));
        out.writeBytes(text("{\"ts\":0}"));
        out.writeBytes(frame(0x88, new byte[] {0x03, (byte) 0xF5}));
        return out.toByteArray();
    }

    private static final List<String> EXPECTED = List.of(
            "msg ts=1700000000123456 len=65 b0={ b1=\"",
            "ping hi",
            "msg ts=42 len=21 b0=4 b1=2",
            "msg ts=-1 len=26 b0={ b1=\"",
            "msg ts=7 len=309 b0=x b1=x",
            "msg ts=99 len=9 b0={ b1=\"",
            "msg ts=0 len=8 b0={ b1=\"",
            "close 1013");

    @Test
    void findsTimestampsAcrossFramesContinuationsAndLengths() {
        Recorder r = new Recorder();
        new FrameParser(r).feed(Unpooled.wrappedBuffer(stream()));
        assertThat(r.events).containsExactlyElementsOf(EXPECTED);
    }

    @Test
    void givesTheSameAnswerWhereverTheReadsSplitTheStream() {
        byte[] all = stream();
        for (int split = 1; split < all.length; split++) {
            Recorder r = new Recorder();
            FrameParser p = new FrameParser(r);
            p.feed(Unpooled.wrappedBuffer(all, 0, split));
            p.feed(Unpooled.wrappedBuffer(all, split, all.length - split));
            assertThat(r.events).as("split at %d", split).containsExactlyElementsOf(EXPECTED);
        }
    }

    @Test
    void readsOneByteAtATime() {
        byte[] all = stream();
        Recorder r = new Recorder();
        FrameParser p = new FrameParser(r);
        for (byte b : all) {
            p.feed(Unpooled.wrappedBuffer(new byte[] {b}));
        }
        assertThat(r.events).containsExactlyElementsOf(EXPECTED);
    }

    @Test
    void leavesTheBufferUntouched() {
        ByteBuf in = Unpooled.wrappedBuffer(text("{\"ts\":5}"));
        int readable = in.readableBytes();
        new FrameParser(new Recorder()).feed(in);
        assertThat(in.readableBytes()).isEqualTo(readable);
    }

    @Test
    void capturesALaneEnvelopeIdWhereverTheReadsSplit() {
        String id = "0b6e2c1a-5f0e-4a53-9a8e-3f1d2f9c7e21";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(text("{\"envelopeId\":\"" + id + "\",\"type\":\"bench\",\"userId\":\"u\",\"timestamp\":\"2026-11-23T10:00:00.000Z\","
                + "\"payload\":{\"ts\":123,\"pad\":\"xx\"}}"));
        out.writeBytes(text("{\"type\":\"subscribed\",\"count\":1,\"ignored\":0}"));
        out.writeBytes(text("pong"));
        byte[] all = out.toByteArray();
        for (int split = 1; split < all.length; split++) {
            List<String> seen = new ArrayList<>();
            FrameParser[] p = new FrameParser[1];
            p[0] = new FrameParser(new FrameParser.Listener() {
                @Override
                public void onMessage(long ts, long length, int b0, int b1) {
                    ValueCapture c = p[0].capture();
                    seen.add(ts + " " + (c.found() ? new String(c.value(), 0, c.length(), StandardCharsets.US_ASCII) : "-"));
                }

                @Override
                public void onPing(byte[] payload, int length) {
                }

                @Override
                public void onClose(int code) {
                }
            }, LaneFrames.ENVELOPE_ID);
            p[0].feed(Unpooled.wrappedBuffer(all, 0, split));
            p[0].feed(Unpooled.wrappedBuffer(all, split, all.length - split));
            assertThat(seen).as("split at %d", split).containsExactly("123 " + id, "-1 -", "-1 -");
        }
    }
}
