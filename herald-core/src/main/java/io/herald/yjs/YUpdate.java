package io.herald.yjs;

import java.util.List;
import java.util.Objects;

/**
 * A decoded Yjs v1 update: its structs in wire order and its delete set. Immutable and
 * thread-safe. {@link Yjs#encode} writes consecutive structs of one client with consecutive
 * clocks as one client block.
 */
public record YUpdate(List<Struct> structs, DeleteSet deleteSet) {
    public YUpdate {
        structs = List.copyOf(structs);
        Objects.requireNonNull(deleteSet, "deleteSet");
    }
}
