package io.herald.yjs;

import java.util.ArrayList;
import java.util.List;

/**
 * Groups written structs into client blocks and serializes the struct section (spec 6.2). yjs
 * opens a new block only when the client changes; {@code splitOnClockGap} also opens one when the
 * clock does not continue, which {@link Yjs#encode} needs to write an arbitrary model faithfully.
 * Confined to one thread.
 */
final class BlockWriter {
    private final boolean splitOnClockGap;
    private final Lib0Encoder body = new Lib0Encoder(1024);
    private final List<long[]> blocks = new ArrayList<>();
    private long[] open;
    private long nextClock;

    BlockWriter(boolean splitOnClockGap) {
        this.splitOnClockGap = splitOnClockGap;
    }

    /** Writes {@code s} from clock offset {@code offset} (the right part of a slice when &gt; 0). */
    void write(Struct s, long offset) {
        Struct part = StructCodec.sliceFrom(s, offset);
        if (open == null || open[0] != part.client() || (splitOnClockGap && nextClock != part.clock())) {
            // block = {client, firstClock, structCount, bodyStart, bodyEnd}
            open = new long[] {part.client(), part.clock(), 0, body.length(), 0};
            blocks.add(open);
        }
        StructCodec.write(body, part);
        open[2]++;
        open[4] = body.length();
        nextClock = part.end();
    }

    /** The struct section followed by {@code deleteSet}'s encoding. */
    byte[] finish(DeleteSetCodec.Ranges deleteSet) {
        byte[] bodyBytes = body.toByteArray();
        Lib0Encoder out = new Lib0Encoder(bodyBytes.length + 16 * blocks.size() + 16);
        out.writeVarUint(blocks.size());
        for (long[] b : blocks) {
            out.writeVarUint(b[2]);
            out.writeVarUint(b[0]);
            out.writeVarUint(b[1]);
            out.writeBytes(bodyBytes, (int) b[3], (int) (b[4] - b[3]));
        }
        DeleteSetCodec.write(out, deleteSet);
        return out.toByteArray();
    }
}
