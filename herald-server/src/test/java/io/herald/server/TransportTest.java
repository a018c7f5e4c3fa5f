package io.herald.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.config.ConfigException;
import io.herald.config.HeraldConfig;
import io.herald.config.ServerConfig;
import io.vertx.core.transport.Transport;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code server.transport}: each transport the kernel allows serves a broadcast end to end (upgrade,
 * fan-out through the frame writer, close), one it does not allow is refused at start with the setting
 * named, and {@code auto} takes epoll where it loads, else NIO.
 */
class TransportTest {
    private static final Map<String, Transport> TRANSPORTS = Map.of("nio", Transport.NIO, "epoll", Transport.EPOLL);

    private static HeraldConfig config(String transport) {
        HeraldConfig c = TestServer.config(TestServer.STANDARD);
        return c.withServer(c.server().withTransport(transport));
    }

    @Test
    void everyNamedTransportServesABroadcastOrIsRefusedWithTheSettingNamed() {
        assertThat(ServerConfig.TRANSPORTS).containsExactly("auto", "nio", "epoll");
        assertThat(Transport.NIO.available()).as("NIO is always there").isTrue();
        for (String name : List.of("nio", "epoll")) {
            if (TRANSPORTS.get(name).available()) {
                try (TestServer server = TestServer.start(config(name))) {
                    assertThat(server.server().transport()).isEqualTo(name);
                    WsClient member = server.member("u_t", "org_" + name, "viewer");
                    for (int i = 0; i < 3; i++) {
                        server.publishBroadcast("{\"event\":\"e" + i + "\",\"payload\":" + i + ",\"organizationId\":\"org_" + name + "\"}");
                    }
                    assertThat(member.next(3)).containsExactly(
                            "{\"type\":\"broadcast\",\"event\":\"e0\",\"payload\":0}",
                            "{\"type\":\"broadcast\",\"event\":\"e1\",\"payload\":1}",
                            "{\"type\":\"broadcast\",\"event\":\"e2\",\"payload\":2}");
                }
            } else {
                assertThatThrownBy(() -> TestServer.start(config(name)))
                        .isInstanceOf(ConfigException.class).hasMessageStartingWith("server.transport:")
                        .hasMessageContaining("not available");
            }
        }
    }

    @Test
    void autoTakesEpollWhereItLoadsElseNio() {
        String expected = Transport.EPOLL.available() ? "epoll" : "nio";
        try (TestServer server = TestServer.start(config("auto"))) {
            assertThat(server.server().transport()).isEqualTo(expected);
        }
    }
}
