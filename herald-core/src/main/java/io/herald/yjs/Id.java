package io.herald.yjs;

/**
 * The identity of one clock unit: a client id (unsigned 32-bit, hence {@code long}) and a clock.
 */
public record Id(long client, long clock) {
    public Id {
        Structs.requireClock("client", client);
        Structs.requireClock("clock", clock);
    }
}
