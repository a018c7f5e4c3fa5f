package io.herald.bench.load;

/** How a benchmark socket talks to the server once it is connected. */
enum WireProtocol {
    /** Plain WebSocket: every data message carrying a timestamp is a delivery (Herald, the raw ceiling). */
    WEBSOCKET,
    /**
     * Engine.IO v4 / Socket.IO v4 over WebSocket only: answer the open packet {@code 0{...}} with a
     * namespace connect {@code 40}, answer pings {@code 2} with {@code 3}, count events {@code 42[...]}.
     */
    ENGINE_IO,
    /**
     * A Herald lane WebSocket: subscribe to the benchmark type, then {@code ping}; the {@code pong} says
     * the subscribe was applied (frames of a socket are handled in order). Every envelope is acked.
     */
    LANE,
    /** A Herald Channels stream: {@code GET /sse/<channel>}, events read from the chunked body ({@link SseConnection}). */
    SSE
}
