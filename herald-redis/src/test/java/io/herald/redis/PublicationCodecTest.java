package io.herald.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PublicationCodecTest {

    @Test
    void decodesWhatTheScriptWritesWithBinaryPayloadUntouched() {
        byte[] payload = {0, ':', (byte) 0xff, '\n'};
        Publication decoded = PublicationCodec.decode("org:1", PublicationCodec.encode(42, "abc123", payload)).orElseThrow();

        assertThat(decoded.stream()).isEqualTo("org:1");
        assertThat(decoded.offset()).isEqualTo(42);
        assertThat(decoded.epoch()).isEqualTo("abc123");
        assertThat(decoded.payload()).containsExactly(payload);
    }

    @Test
    void readsTheExactBytesOfAFrame() {
        byte[] frame = "h1:7:e1:{\"a\":1}".getBytes(StandardCharsets.US_ASCII);

        Publication decoded = PublicationCodec.decode("s", frame).orElseThrow();

        assertThat(decoded.offset()).isEqualTo(7);
        assertThat(new String(decoded.payload(), StandardCharsets.US_ASCII)).isEqualTo("{\"a\":1}");
    }

    @Test
    void emptyPayloadIsAllowed() {
        assertThat(PublicationCodec.decode("s", "h1:1:e:".getBytes(StandardCharsets.US_ASCII)).orElseThrow().payload()).isEmpty();
    }

    @Test
    void refusesWhatIsNotAFrame() {
        for (String bad : new String[] {"", "h1:", "h2:1:e:x", "h1::e:x", "h1:0:e:x", "h1:-1:e:x", "h1:1e:x", "h1:12",
                "h1:1:e", "h1:1234567890123456789:e:x", "hello"}) {
            assertThat(PublicationCodec.decode("s", bad.getBytes(StandardCharsets.US_ASCII))).as(bad).isEmpty();
        }
    }
}
