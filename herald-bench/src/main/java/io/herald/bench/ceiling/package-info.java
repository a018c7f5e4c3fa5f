/**
 * The same-machine ceiling: {@link io.herald.bench.ceiling.RawFanoutServer}, a minimal raw Netty
 * WebSocket fan-out server (one pre-encoded frame per message, written and flushed per channel, no
 * coalescing) that the load tool targets with {@code --target raw}.
 */
package io.herald.bench.ceiling;
