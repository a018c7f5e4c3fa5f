package io.herald.bench.load;

import io.netty.buffer.ByteBuf;

/**
 * An incremental parser of server-to-client WebSocket frames that works in place on whatever the
 * socket read, with no copy and no allocation per frame: headers are decoded byte by byte, and the
 * payload of data frames is scanned for {@code "ts":<digits>} until the number ends (and, when asked,
 * for one string value such as a lane envelope's {@code "envelopeId"}), the rest skipped by
 * arithmetic. A frame or a timestamp split across reads is carried in a few fields. Only control
 * frames (at most 125 bytes) are copied, into one small array allocated on the first one. Confined to
 * its connection's event loop.
 */
final class FrameParser {
    /** What the parser found. */
    interface Listener {
        /**
         * A complete data message.
         *
         * @param ts the first {@code "ts":} value in it, or -1 when there is none
         * @param length its payload length
         * @param b0 its first payload byte (or -1), b1 the second: enough to tell Engine.IO packets apart
         */
        void onMessage(long ts, long length, int b0, int b1);

        void onPing(byte[] payload, int length);

        void onClose(int code);
    }

    private static final int HEADER = 0;
    private static final int LENGTH = 1;
    private static final int EXTENDED = 2;
    private static final int MASK = 3;
    private static final int PAYLOAD = 4;

    private final Listener listener;
    private int state = HEADER;
    private int opcode;
    private boolean fin;
    private boolean masked;
    private int extendedLeft;
    private int maskLeft;
    private long payloadLeft;
    private long payloadLength;
    // message-level state survives continuation frames
    private long messageLength;
    private int b0 = -1;
    private int b1 = -1;
    private final TimestampScan ts = new TimestampScan();
    private final ValueCapture capture;
    private byte[] control;
    private int controlLength;

    FrameParser(Listener listener) {
        this(listener, null);
    }

    /** A parser that also captures the string value of {@code captureKey} in each data message (see {@link #capture()}). */
    FrameParser(Listener listener, String captureKey) {
        this.listener = listener;
        this.capture = captureKey == null ? null : new ValueCapture(captureKey);
    }

    /** The captured value of the message being reported (read it inside {@link Listener#onMessage}), or null when not asked for. */
    ValueCapture capture() {
        return capture;
    }

    /** Consumes every readable byte of {@code in} (the reader index is left unchanged). */
    void feed(ByteBuf in) {
        int i = in.readerIndex();
        int end = in.writerIndex();
        while (i < end) {
            switch (state) {
                case HEADER -> {
                    int b = in.getByte(i++);
                    fin = (b & 0x80) != 0;
                    opcode = b & 0x0f;
                    state = LENGTH;
                }
                case LENGTH -> {
                    int b = in.getByte(i++);
                    masked = (b & 0x80) != 0;
                    int len = b & 0x7f;
                    payloadLength = len;
                    if (len == 126) {
                        extendedLeft = 2;
                        payloadLength = 0;
                        state = EXTENDED;
                    } else if (len == 127) {
                        extendedLeft = 8;
                        payloadLength = 0;
                        state = EXTENDED;
                    } else {
                        afterLength();
                    }
                }
                case EXTENDED -> {
                    payloadLength = (payloadLength << 8) | (in.getByte(i++) & 0xff);
                    if (--extendedLeft == 0) {
                        afterLength();
                    }
                }
                case MASK -> {
                    // servers must not mask; a masked frame is skipped rather than unmasked
                    i++;
                    if (--maskLeft == 0) {
                        startPayload();
                    }
                }
                default -> i = payload(in, i, end);
            }
        }
    }

    private void afterLength() {
        if (masked) {
            maskLeft = 4;
            state = MASK;
        } else {
            startPayload();
        }
    }

    private void startPayload() {
        payloadLeft = payloadLength;
        if (isControl()) {
            controlLength = 0;
            if (control == null) {
                control = new byte[125];
            }
        } else if (opcode != 0) {
            // first frame of a data message; continuation frames (opcode 0) keep the scan going
            messageLength = 0;
            b0 = -1;
            b1 = -1;
            ts.reset();
            if (capture != null) {
                capture.reset();
            }
        }
        state = PAYLOAD;
        if (payloadLeft == 0) {
            endFrame();
        }
    }

    private boolean isControl() {
        return (opcode & 0x08) != 0;
    }

    private int payload(ByteBuf in, int i, int end) {
        int n = (int) Math.min(payloadLeft, end - i);
        if (isControl()) {
            int copy = Math.min(n, control.length - controlLength);
            in.getBytes(i, control, controlLength, copy);
            controlLength += copy;
        } else {
            scan(in, i, n);
        }
        payloadLeft -= n;
        if (payloadLeft == 0) {
            endFrame();
        }
        return i + n;
    }

    private void scan(ByteBuf in, int from, int n) {
        long offset = messageLength;
        messageLength += n;
        if (offset == 0 && n > 0) {
            b0 = in.getByte(from) & 0xff;
        }
        if (offset <= 1 && offset + n > 1) {
            b1 = in.getByte(from + (int) (1 - offset)) & 0xff;
        }
        boolean tsDone = ts.done();
        boolean captured = capture == null || capture.done();
        for (int i = from, end = from + n; i < end && !(tsDone && captured); i++) {
            byte c = in.getByte(i);
            tsDone = tsDone || ts.step(c);
            captured = captured || capture.step(c);
        }
    }

    private void endFrame() {
        state = HEADER;
        if (isControl()) {
            if (opcode == 0x9) {
                listener.onPing(control, controlLength);
            } else if (opcode == 0x8) {
                int code = controlLength >= 2 ? ((control[0] & 0xff) << 8) | (control[1] & 0xff) : 1005;
                listener.onClose(code);
            }
            return;
        }
        if (fin) {
            listener.onMessage(ts.value(), messageLength, b0, b1);
        }
    }
}
