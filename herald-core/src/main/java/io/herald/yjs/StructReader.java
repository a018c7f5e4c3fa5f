package io.herald.yjs;

/**
 * Walks one update's struct section lazily, one struct at a time, in wire order (spec 6.1). After
 * the last struct its decoder sits at the delete set. With {@code filterSkips} on, Skip structs are
 * dropped, as merge needs. Confined to one thread.
 */
final class StructReader {
    private final Lib0Decoder d;
    private final boolean filterSkips;
    private long blocksLeft;
    private long structsLeftInBlock;
    private long client;
    private long clock;
    private long structsRead;
    private Struct current;

    StructReader(Lib0Decoder d, boolean filterSkips) {
        this.d = d;
        this.filterSkips = filterSkips;
        // Each client block takes at least three bytes, so a count beyond the input is a lie.
        this.blocksLeft = d.readCount("client block");
        next();
    }

    /** The struct under the cursor, or {@code null} once the struct section is exhausted. */
    Struct current() {
        return current;
    }

    /** Advances and returns the new current struct ({@code null} at the end). */
    Struct next() {
        while (true) {
            if (structsLeftInBlock == 0) {
                if (blocksLeft == 0) {
                    current = null;
                    return null;
                }
                blocksLeft--;
                structsLeftInBlock = d.readCount("struct");
                client = d.readVarUint();
                clock = d.readVarUint();
                continue;
            }
            structsLeftInBlock--;
            if (++structsRead > d.limits().maxStructs()) {
                throw new YjsFormatException("update holds more than " + d.limits().maxStructs() + " structs");
            }
            Struct s = StructCodec.read(d, client, clock);
            clock = s.end();
            if (filterSkips && s instanceof Struct.Skip) {
                continue;
            }
            current = s;
            return s;
        }
    }

    /** The decoder, positioned at the delete set once {@link #current()} is {@code null}. */
    Lib0Decoder decoder() {
        return d;
    }
}
