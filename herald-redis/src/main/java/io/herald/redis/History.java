package io.herald.redis;

import java.util.List;

/**
 * The answer to a history read: the stream's current position, the publications after the asked
 * offset in offset order (at most the asked limit, without gaps), and whether the asked offset can
 * not be continued from. {@code truncated} is true when the publication right after the asked offset
 * is no longer held (trimmed by the history size, expired with the history TTL, never stored because
 * the history size is 0) or when the asked offset is beyond the top (the stream restarted, see the
 * epoch): the caller must then reset its reader instead of assuming it saw everything.
 */
public record History(StreamPosition position, List<Publication> publications, boolean truncated) {

    public History {
        publications = List.copyOf(publications);
    }
}
