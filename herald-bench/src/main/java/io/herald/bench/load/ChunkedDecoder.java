package io.herald.bench.load;

import io.netty.buffer.ByteBuf;

/**
 * Undoes HTTP/1.1 chunked transfer coding in place ({@code <hex size>[;ext]\r\n<data>\r\n ... 0\r\n\r\n}):
 * hands the data bytes of each chunk, as ranges of the buffer it was fed, to a {@link Sink}, with no
 * copy and no allocation. Chunk sizes, extensions and the CRLFs around data may be split across reads
 * anywhere. Vert.x writes each {@code response.write} of an SSE stream as one chunk. Confined to its
 * connection's event loop.
 */
final class ChunkedDecoder {
    /** Where the decoded body goes. */
    interface Sink {
        /** Body bytes {@code [from, to)} of {@code in}; do not keep a reference. */
        void data(ByteBuf in, int from, int to);
    }

    /** A chunk size above 2^31 - 1 (8 hex digits) is refused: nothing legitimate here comes close. */
    private static final int MAX_SIZE_DIGITS = 8;
    private static final int SIZE = 0;
    private static final int EXTENSION = 1;
    private static final int DATA = 2;
    private static final int DATA_END = 3;
    private static final int TRAILER = 4;
    private static final int DONE = 5;

    private final Sink sink;
    private int state = SIZE;
    private long size;
    private int digits;
    private long left;
    private int trailerLineLength;

    ChunkedDecoder(Sink sink) {
        this.sink = sink;
    }

    /** Whether the last chunk (size 0) and its trailer have arrived: the server ended the body. */
    boolean done() {
        return state == DONE;
    }

    /**
     * Consumes {@code [from, to)} of {@code in} (indexes unchanged).
     *
     * @throws IllegalStateException when the bytes are not chunked coding
     */
    void feed(ByteBuf in, int from, int to) {
        int i = from;
        while (i < to) {
            if (state == DATA) {
                int n = (int) Math.min(left, to - i);
                sink.data(in, i, i + n);
                i += n;
                left -= n;
                if (left == 0) {
                    state = DATA_END;
                }
                continue;
            }
            byte c = in.getByte(i++);
            switch (state) {
                case SIZE -> size(c);
                case EXTENSION -> {
                    if (c == '\n') {
                        endOfSize();
                    }
                }
                // the CRLF after a chunk's data: a lone LF is tolerated
                case DATA_END -> {
                    if (c == '\n') {
                        state = SIZE;
                    } else if (c != '\r') {
                        throw new IllegalStateException("chunk data not followed by CRLF");
                    }
                }
                case TRAILER -> {
                    if (c == '\n') {
                        if (trailerLineLength == 0) {
                            state = DONE;
                        }
                        trailerLineLength = 0;
                    } else if (c != '\r') {
                        trailerLineLength++;
                    }
                }
                default -> {
                    // DONE: whatever follows the last chunk is not this stream's
                }
            }
        }
    }

    private void size(byte c) {
        int v = Character.digit(c, 16);
        if (v >= 0) {
            if (++digits > MAX_SIZE_DIGITS) {
                throw new IllegalStateException("chunk size too large");
            }
            size = size * 16 + v;
        } else if (c == ';' || c == ' ' || c == '\t') {
            state = EXTENSION;
        } else if (c == '\n') {
            endOfSize();
        } else if (c != '\r') {
            throw new IllegalStateException("bad chunk size byte 0x" + Integer.toHexString(c & 0xff));
        }
    }

    private void endOfSize() {
        if (digits == 0) {
            throw new IllegalStateException("chunk without a size");
        }
        left = size;
        size = 0;
        digits = 0;
        state = left == 0 ? TRAILER : DATA;
        trailerLineLength = 0;
    }
}
