package io.herald.bench.load;

import java.util.EnumSet;
import java.util.Set;

/** The server a run measures; each speaks the same client URL shapes where it can. */
enum Target {
    /** Herald: tickets from {@code POST /broadcast/v1/ws-ticket}, publishes through its server API. */
    HERALD,
    /** {@link io.herald.bench.ceiling.RawFanoutServer}: any WebSocket path, {@code POST /publish}, no auth. */
    RAW,
    /** The Socket.IO 4 peer in {@code herald-bench/peer/socketio}: Engine.IO over WebSocket, {@code POST /publish}. */
    SOCKETIO,
    /** y-websocket's reference server ({@code herald-bench/peer/yjs}): {@code yjs-edit} only. */
    YWEBSOCKET,
    /** Hocuspocus 4 ({@code herald-bench/peer/yjs}): {@code yjs-edit} only. */
    HOCUSPOCUS;

    /** The targets of the fan-out scenarios; the Yjs servers speak only their document protocol. */
    static final Set<Target> FANOUT = EnumSet.of(HERALD, RAW, SOCKETIO);

    WireProtocol protocol() {
        return this == SOCKETIO ? WireProtocol.ENGINE_IO : WireProtocol.WEBSOCKET;
    }
}
