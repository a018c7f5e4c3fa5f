package io.herald.server.transport;

import io.herald.server.TestServer;
import io.herald.server.RawWebSocket;


import static org.assertj.core.api.Assertions.assertThat;

import java.io.UncheckedIOException;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * The frame properties of {@link WebSocketFramePropertiesTest} on the wire: random frames sent to a real
 * server's broadcast socket over loopback either leave it open (a ping is still answered) or end it with
 * the close code the error table gives, or the echo of a valid client close.
 */
class WebSocketWirePropertiesTest {
    private static TestServer server;
    private static int maxFrame;

    @BeforeContainer
    static void start() {
        server = TestServer.start(TestServer.STANDARD);
        maxFrame = server.herald().config().server().maxFrameBytes();
    }

    @AfterContainer
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Provide
    Arbitrary<List<ClientFrame>> anyFrames() {
        return ClientFrame.sequences(1024);
    }

    @Property(tries = 200)
    void randomFramesOnABroadcastSocketKeepItOpenOrCloseItWithACodeFromTheTable(@ForAll("anyFrames") List<ClientFrame> frames)
            throws Exception {
        FrameModel.Verdict verdict = FrameModel.judge(frames, maxFrame, 0);
        // what follows the frame that decides is never read by the server, and writing it after the close would reset the connection
        List<ClientFrame> sent = verdict.kind() == FrameModel.Kind.OPEN ? frames : upToTheVerdict(frames);
        String ticket = server.ticket(TestServer.jwt("u1", "org_1", "owner"));
        try (RawWebSocket ws = RawWebSocket.open(server.port(), "/broadcast/v1/websocket?ws_ticket=" + ticket, 0)) {
            ws.sendRaw(ClientFrame.encode(sent));
            if (verdict.kind() == FrameModel.Kind.OPEN) {
                byte[] marker = {1, 2, 3};
                ws.sendFrame(ClientFrame.PING, marker, true);
                int code = readUntilPongOrClose(ws, marker);
                if (code != 0) {
                    assertThat(verdict.badUtf8Before()).as("closed with %d", code).isTrue();
                    assertThat(code).isEqualTo(1007);
                }
                return;
            }
            int code = readCloseCode(ws);
            switch (verdict.kind()) {
                case ECHO -> assertThat(code).isIn(verdict.echoCode() == -1 ? 1005 : verdict.echoCode(), 1007);
                case VIOLATION -> assertThat(code).isIn(WebSocketFramePropertiesTest.REFUSALS);
                default -> assertThat(code).isIn(1002, 1007, -1);
            }
            assertThat(ws.readsEndOfStream()).isTrue();
        }
    }

    private static List<ClientFrame> upToTheVerdict(List<ClientFrame> frames) {
        List<ClientFrame> prefix = new ArrayList<>();
        for (ClientFrame f : frames) {
            prefix.add(f);
            if (FrameModel.judge(prefix, maxFrame, 0).kind() != FrameModel.Kind.OPEN) {
                return prefix;
            }
        }
        return prefix;
    }

    /** Reads past data frames and the server's own pings: 0 once our pong arrives, else the close code (-1: none). */
    private static int readUntilPongOrClose(RawWebSocket ws, byte[] marker) {
        while (true) {
            RawWebSocket.Frame f = ws.readFrameAnsweringPings();
            if (f.opcode() == ClientFrame.PONG && java.util.Arrays.equals(f.payload(), marker)) {
                return 0;
            }
            if (f.opcode() == ClientFrame.CLOSE) {
                return f.payload().length >= 2 ? (f.payload()[0] & 0xFF) << 8 | f.payload()[1] & 0xFF : 1005;
            }
        }
    }

    /** The server's close code (1005 for an empty close), or -1 when the connection ended or was reset without one. */
    private static int readCloseCode(RawWebSocket ws) {
        try {
            return ws.readUntilClose();
        } catch (UncheckedIOException e) {
            if (e.getCause() instanceof SocketException) {
                return -1;
            }
            throw e;
        }
    }
}
