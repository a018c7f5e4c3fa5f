/**
 * The end-to-end load tool: {@link io.herald.bench.load.LoadTool} parses the command line into a
 * scenario ({@code broadcast-fanout}, {@code room-fanout}, {@code sse-fanout}, {@code lane-acks},
 * {@code connect}); a scenario opens its receiving sockets ({@code WsFleet}: raw Netty WebSockets or
 * SSE streams, frame headers and chunks parsed in place, timestamps found by a byte scan), publishes
 * through a {@code Pacer}, and reports a {@link io.herald.bench.load.Result} with HdrHistogram
 * latencies, server CPU per delivery, and the tool's own CPU share.
 */
package io.herald.bench.load;
