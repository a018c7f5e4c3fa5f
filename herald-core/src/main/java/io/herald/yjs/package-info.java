/**
 * A pure-Java codec for Yjs v1 document updates and the format-level operations a relay server
 * needs without a CRDT document model: merge, diff and state vector from update.
 *
 * <p>Entry type: {@link io.herald.yjs.Yjs}. Decoded updates are the immutable records
 * {@link io.herald.yjs.YUpdate}, {@link io.herald.yjs.Struct}, {@link io.herald.yjs.Content} and
 * {@link io.herald.yjs.AnyValue}. Every malformed input is reported as
 * {@link io.herald.yjs.YjsFormatException}; caps live in {@link io.herald.yjs.YjsLimits}.
 * The wire format and algorithms follow yjs 13.6.33 ({@code src/updates.js} and lib0's encoding in the yjs repository).
 */
package io.herald.yjs;
