package io.herald.redis;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BrokerFramesTest {

    @Test
    void aMessageIsOriginRequestThenTheBytesUnchanged() {
        byte[] body = {0, ':', (byte) 0xff};
        byte[] frame = BrokerFrames.message("node-a", 42, body);

        assertThat(new String(frame, 0, 10, US_ASCII)).isEqualTo("node-a:42:");
        BrokerFrames.Message m = BrokerFrames.message(frame).orElseThrow();
        assertThat(m.origin()).isEqualTo("node-a");
        assertThat(m.request()).isEqualTo(42);
        assertThat(m.body()).containsExactly(body);
    }

    @Test
    void requestZeroIsAMessageThatWantsNoDeliveryCount() {
        BrokerFrames.Message m = BrokerFrames.message(BrokerFrames.message("node-a", 0, new byte[] {'x'})).orElseThrow();
        assertThat(m.request()).isZero();
        assertThat(m.body()).containsExactly('x');
    }

    @Test
    void malformedMessagesAreRefused() {
        for (String bad : new String[] {"", ":1:x", "a:", "a::x", "a:1x:y", "a:12", "a:1234567890123456789:x"}) {
            assertThat(BrokerFrames.message(bad.getBytes(US_ASCII))).as(bad).isEmpty();
        }
    }

    @Test
    void aReplyIsAPublicationFrameOfRequestNodeAndCount() {
        byte[] frame = BrokerFrames.reply("node-b", 7, 12);

        assertThat(new String(frame, US_ASCII)).isEqualTo("h1:7:node-b:12");
        Publication p = PublicationCodec.decode("node:node-a", frame).orElseThrow();
        assertThat(BrokerFrames.reply(p)).contains(new BrokerFrames.Reply("node-b", 7, 12));
        assertThat(BrokerFrames.reply(new Publication("s", 7, "node-b", "x".getBytes(US_ASCII)))).isEmpty();
    }
}
