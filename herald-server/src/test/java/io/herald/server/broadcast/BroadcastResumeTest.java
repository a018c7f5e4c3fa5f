package io.herald.server.broadcast;

import io.herald.server.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Broadcast resume on one node: the in-memory broker keeps the scopes' history. */
class BroadcastResumeTest extends BroadcastResumeContract {
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(withHistory(TestServer.config(TestServer.STANDARD)));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Override
    protected TestServer publisher() {
        return server;
    }

    @Override
    protected TestServer sockets() {
        return server;
    }
}
