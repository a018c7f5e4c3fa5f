package io.herald.yjs;

import static io.herald.yjs.VectorFiles.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** lib0 primitives against every case of vectors/yjs-lib0-primitives.json, plus lib0's edge rules. */
class Lib0PrimitivesTest {
    private static final JsonNode V = VectorFiles.load("yjs-lib0-primitives.json");

    private static String encode(Consumer<Lib0Encoder> write) {
        Lib0Encoder e = new Lib0Encoder();
        write.accept(e);
        return hex(e.toByteArray());
    }

    private static Lib0Decoder decoder(String hexBytes) {
        return new Lib0Decoder(VectorFiles.HEX.parseHex(hexBytes), YjsLimits.DEFAULTS);
    }

    @Test
    void varUintVectorsRoundTripByteForByte() {
        assertThat(V.get("varUint")).hasSize(16);
        for (JsonNode c : V.get("varUint")) {
            long value = c.get("value").asLong();
            assertThat(encode(e -> e.writeVarUint(value))).as("%d", value).isEqualTo(c.get("hex").asText());
            Lib0Decoder d = decoder(c.get("hex").asText());
            assertThat(d.readVarUint()).isEqualTo(value);
            assertThat(d.remaining()).isZero();
        }
    }

    @Test
    void varIntVectorsUseSignMagnitudeAndKeepNegativeZero() {
        for (JsonNode c : V.get("varInt")) {
            long value = c.get("value").asLong();
            assertThat(encode(e -> e.writeVarInt(Math.abs(value), value < 0))).isEqualTo(c.get("hex").asText());
            assertThat(decoder(c.get("hex").asText()).readVarInt()).isEqualTo((double) value);
        }
        assertThat(encode(e -> e.writeVarInt(0, true))).isEqualTo(V.get("varIntNegZero").get("hex").asText());
        double negZero = decoder("40").readVarInt();
        assertThat(Double.doubleToRawLongBits(negZero)).isEqualTo(Double.doubleToRawLongBits(-0.0));
    }

    @Test
    void varStringVectorsCountUtf8BytesAndKeepTheBom() {
        for (JsonNode c : V.get("varString")) {
            String value = c.get("value").asText();
            assertThat(value.length()).isEqualTo(c.get("utf16Length").asInt());
            assertThat(encode(e -> e.writeVarString(value))).isEqualTo(c.get("hex").asText());
            assertThat(decoder(c.get("hex").asText()).readVarString()).isEqualTo(value);
        }
    }

    @Test
    void loneSurrogateIsWrittenAsReplacementCharacter() {
        assertThat(encode(e -> e.writeVarString("\uD83D"))).isEqualTo(V.get("loneSurrogate").get("hex").asText());
        assertThat(encode(e -> e.writeVarString("a\uDE00\uD83Db"))).isEqualTo("0861efbfbdefbfbd62");
    }

    @Test
    void writeAnyVectorsEncodeCanonicallyAndDecodeToTheSameValue() {
        assertThat(V.get("writeAny")).hasSize(29);
        for (JsonNode c : V.get("writeAny")) {
            String label = c.get("label").asText();
            AnyValue value = label.startsWith("float -0") ? AnyValue.of(-0.0) : VectorFiles.fromPlain(c.get("value"));
            assertThat(encode(e -> AnyCodec.write(e, value))).as(label).isEqualTo(c.get("hex").asText());
            AnyValue decoded = AnyCodec.read(decoder(c.get("hex").asText()));
            assertThat(VectorFiles.sameJson(VectorFiles.plain(decoded), c.get("decodesTo"))).as(label).isTrue();
        }
    }

    @Test
    void nonCanonicalAnyInputIsAcceptedAndReencodedTheWayYjsWould() {
        for (JsonNode c : V.get("readAnyNonCanonical")) {
            AnyValue decoded = AnyCodec.read(decoder(c.get("hex").asText()));
            assertThat(VectorFiles.sameJson(VectorFiles.plain(decoded), c.get("decodesTo"))).isTrue();
        }
        assertThat(encode(e -> AnyCodec.write(e, AnyCodec.read(decoder("7b4000000000000000"))))).isEqualTo("7d02");
        assertThat(encode(e -> AnyCodec.write(e, AnyCodec.read(decoder("760201617d0101617d02"))))).isEqualTo("760101617d02");
    }

    @Test
    void anyObjectDropsProtoKeyAndPutsIndexKeysFirst() {
        // {"__proto__": null, "a": 1} and {"z":1,"10":2,"2":3}, checked against lib0 in node.
        String proto = "7602095f5f70726f746f5f5f7e01617d01";
        assertThat(encode(e -> AnyCodec.write(e, AnyCodec.read(decoder(proto))))).isEqualTo("760101617d01");
        String keys = "7603017a7d010231307d0201327d03";
        assertThat(encode(e -> AnyCodec.write(e, AnyCodec.read(decoder(keys))))).isEqualTo("760301327d030231307d02017a7d01");
    }

    @Test
    void nonMinimalVarUintIsAcceptedButValuesPastTwoToThe53AreRefused() {
        assertThat(decoder("8000").readVarUint()).isZero();
        assertThat(decoder("ffffffffffffff0f").readVarUint()).isEqualTo((1L << 53) - 1);
        assertThatThrownBy(() -> decoder("8080808080808010").readVarUint()).isInstanceOf(YjsFormatException.class);
        assertThatThrownBy(() -> decoder("ffff").readVarUint()).isInstanceOf(YjsFormatException.class);
    }

    @Test
    void invalidUtf8AndOversizedLengthsAreRefused() {
        for (String bad : new String[] {"01ff", "02c0af", "03eda080", "02c3", "05f4908080", "0a61"}) {
            assertThatThrownBy(() -> decoder(bad).readVarString()).as(bad).isInstanceOf(YjsFormatException.class);
        }
        Lib0Decoder tight = new Lib0Decoder(VectorFiles.HEX.parseHex("0461626364"), new YjsLimits(10, 10, 3, 4));
        assertThatThrownBy(tight::readVarString).hasMessageContaining("exceeds the limit");
    }

    @Test
    void anyNestingDeeperThanTheLimitIsRefused() {
        byte[] deep = new byte[2 * 300 + 1];
        for (int i = 0; i < 300; i++) {
            deep[2 * i] = 117;
            deep[2 * i + 1] = 1;
        }
        deep[600] = 126;
        assertThatThrownBy(() -> AnyCodec.read(new Lib0Decoder(deep, YjsLimits.DEFAULTS)))
                .isInstanceOf(YjsFormatException.class).hasMessageContaining("nested");
    }
}
