package io.herald.yjs;

import java.util.Objects;
import java.util.Optional;

/**
 * One entry of an update's struct section (spec 3.1): an {@link Item} with content, a {@link Gc}
 * range that keeps only its clocks, or a {@link Skip} for clocks the update does not hold. Each
 * covers the clocks {@code [clock, clock + length)} of one client. Immutable and thread-safe.
 */
public sealed interface Struct {
    long client();

    long clock();

    long length();

    /** One past the last clock: {@code clock + length}. */
    default long end() {
        return clock() + length();
    }

    /** A garbage-collected range: the clocks exist but their content is gone. */
    record Gc(long client, long clock, long length) implements Struct {
        public Gc {
            Structs.requireClock("client", client);
            Structs.requireRange(clock, length);
        }
    }

    /** A placeholder for clocks this update lacks; only merged or diffed updates contain it. */
    record Skip(long client, long clock, long length) implements Struct {
        public Skip {
            Structs.requireClock("client", client);
            Structs.requireRange(clock, length);
        }
    }

    /**
     * Content inserted by {@code client} at {@code clock}. {@code parent} and {@code parentSub} are
     * what the wire carries: they are present only when both origins are absent (the receiver
     * otherwise takes them from the origin), so an Item must have an origin or a parent.
     * {@code parentSub} may also be kept on an Item with origins, where it only sets the 0x20 flag.
     */
    record Item(long client, long clock, Optional<Id> origin, Optional<Id> rightOrigin,
                Optional<Parent> parent, Optional<String> parentSub, Content content) implements Struct {
        public Item {
            Structs.requireClock("client", client);
            Objects.requireNonNull(content, "content");
            Structs.requireRange(clock, content.length());
            Objects.requireNonNull(parentSub, "parentSub");
            if (origin.isEmpty() && rightOrigin.isEmpty() && parent.isEmpty()) {
                throw new YjsFormatException("an item without origins needs a parent");
            }
        }

        @Override
        public long length() {
            return content.length();
        }

        /** True when the wire carries parent and parentSub, i.e. there is no origin of either side. */
        public boolean hasParentOnWire() {
            return origin.isEmpty() && rightOrigin.isEmpty();
        }
    }
}
