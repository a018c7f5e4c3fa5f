package io.herald.bench.load;

import io.netty.buffer.ByteBuf;

/**
 * Finds the events of a {@code text/event-stream} body in place: an event ends at a blank line, and
 * an event with at least one {@code data:} line is reported with the first {@code "ts":<digits>} in its
 * data. Lines that are not data ({@code event:}, {@code id:}, comments such as {@code : connected}) and
 * the rest of a data line once its timestamp is read are skipped with {@link ByteBuf#indexOf}, so an
 * event costs a short byte scan and no allocation. Lines end in LF, or CRLF; a lone CR, which the SSE
 * format also allows, is not taken as a line end (Herald writes LF only). Confined to one connection.
 */
final class EventStreamScanner implements ChunkedDecoder.Sink {
    /** What the scanner found. */
    interface Listener {
        /** An event with data: {@code ts} is the first timestamp in its data, or -1. */
        void onEvent(long ts);
    }

    private static final byte[] DATA = {'d', 'a', 't', 'a', ':'};
    private static final int LINE_START = 0;
    private static final int CR_AT_START = 1;
    private static final int FIELD = 2;
    private static final int DATA_LINE = 3;
    private static final int SKIP = 4;

    private final Listener listener;
    private final TimestampScan ts = new TimestampScan();
    private int state = LINE_START;
    private int fieldMatched;
    private boolean hasData;

    EventStreamScanner(Listener listener) {
        this.listener = listener;
    }

    @Override
    public void data(ByteBuf in, int from, int to) {
        int i = from;
        while (i < to) {
            if (state == SKIP) {
                int lf = in.indexOf(i, to, (byte) '\n');
                if (lf < 0) {
                    return;
                }
                i = lf + 1;
                state = LINE_START;
                continue;
            }
            byte c = in.getByte(i++);
            switch (state) {
                case LINE_START -> lineStart(c);
                case CR_AT_START -> {
                    if (c == '\n') {
                        endOfEvent();
                    }
                    state = c == '\n' ? LINE_START : SKIP;
                }
                case FIELD -> field(c);
                default -> {
                    // DATA_LINE: look for the timestamp until the line or the number ends (a line end ends a number too)
                    boolean found = ts.done() || ts.step(c);
                    if (c == '\n') {
                        state = LINE_START;
                    } else if (found) {
                        state = SKIP;
                    }
                }
            }
        }
    }

    private void lineStart(byte c) {
        if (c == '\n') {
            endOfEvent();
        } else if (c == '\r') {
            state = CR_AT_START;
        } else if (c == DATA[0]) {
            fieldMatched = 1;
            state = FIELD;
        } else {
            state = SKIP;
        }
    }

    private void field(byte c) {
        if (c == DATA[fieldMatched]) {
            if (++fieldMatched == DATA.length) {
                hasData = true;
                state = ts.done() ? SKIP : DATA_LINE;
            }
        } else {
            state = c == '\n' ? LINE_START : SKIP;
        }
    }

    private void endOfEvent() {
        if (hasData) {
            listener.onEvent(ts.value());
        }
        hasData = false;
        ts.reset();
    }
}
