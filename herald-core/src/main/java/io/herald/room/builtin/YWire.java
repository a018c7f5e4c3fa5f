package io.herald.room.builtin;

import io.herald.yjs.Lib0Encoder;

/** The y-websocket message types and the frames YjsRoom sends, written with the codec's lib0 encoder. */
final class YWire {
    static final int SYNC = 0;
    static final int AWARENESS = 1;
    static final int AUTH = 2;
    static final int QUERY_AWARENESS = 3;
    static final int STEP1 = 0;
    static final int STEP2 = 1;
    static final int UPDATE = 2;

    private YWire() {
    }

    static byte[] sync(int syncType, byte[] payload) {
        Lib0Encoder e = new Lib0Encoder();
        e.writeVarUint(SYNC);
        e.writeVarUint(syncType);
        e.writeVarUint8Array(payload);
        return e.toByteArray();
    }

    static byte[] awareness(byte[] update) {
        Lib0Encoder e = new Lib0Encoder();
        e.writeVarUint(AWARENESS);
        e.writeVarUint8Array(update);
        return e.toByteArray();
    }

    static byte[] permissionDenied(String reason) {
        Lib0Encoder e = new Lib0Encoder();
        e.writeVarUint(AUTH);
        e.writeVarUint(0);
        e.writeVarString(reason);
        return e.toByteArray();
    }
}
