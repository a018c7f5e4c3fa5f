package io.herald.yjs;

import java.util.Objects;

/** Where an Item lives when it carries its parent on the wire: a named root type or a Type item. */
public sealed interface Parent {
    /** A root type of the document, such as {@code doc.getText("text")}. */
    record Root(String name) implements Parent {
        public Root {
            Objects.requireNonNull(name, "name");
        }
    }

    /** A nested type: the Item whose content is that {@link Content.Type}. */
    record OfItem(Id id) implements Parent {
        public OfItem {
            Objects.requireNonNull(id, "id");
        }
    }
}
