package io.herald.server.room;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.herald.ErrorCode;
import io.herald.HeraldException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Room URLs a client controls ({@code /parties/<party>/<room>}): any path is parsed into a party and a
 * room id of 1..256 characters or refused with 404 / 400 {@code HeraldException}; a room id decodes
 * exactly as strict RFC 3986 percent-decoding of UTF-8 does (ASCII hex digits only).
 */
class RoomPathPropertiesTest {
    /** Characters that make paths interesting: separators, escapes, ASCII and non-ASCII digits and letters. */
    private static final String CHARS = "/%%%0129aAfFgG+ .~é€\u0660\u0669\uFF10\uFF11\uFF21";

    /** Strings as a request line brings them: no unpaired surrogates (they cannot come off the wire). */
    @Provide
    Arbitrary<String> paths() {
        return Arbitraries.oneOf(
                Arbitraries.strings().withChars(CHARS).ofMaxLength(30).map(s -> s + "\uD83D\uDE00" + s),
                Arbitraries.strings().withChars(CHARS).ofMaxLength(40),
                Arbitraries.strings().ofMaxLength(40),
                Arbitraries.strings().withChars(CHARS).ofMaxLength(30).map(s -> "/parties/p/" + s),
                Arbitraries.strings().withChars("%4A1").ofMinLength(250).ofMaxLength(800).map(s -> "/parties/p/" + s))
                .filter(s -> s.equals(new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8)));
    }

    @Property(tries = 10000)
    void anyPathIsARoomWithinTheLimitsOrA404OrA400(@ForAll("paths") String path) {
        Throwable t = catchThrowable(() -> {
            RoomPath p = RoomPath.parse(path, "/parties");
            assertThat(p.party()).isNotEmpty().doesNotContain("/");
            assertThat(p.room().length()).isBetween(1, RoomPath.MAX_ROOM_CHARS);
        });
        if (t != null) {
            assertThat(t).isInstanceOf(HeraldException.class);
            assertThat(((HeraldException) t).code()).isIn(Set.of(ErrorCode.NOT_FOUND, ErrorCode.BAD_REQUEST));
        }
    }

    @Property(tries = 10000)
    void aSegmentDecodesAsStrictPercentDecodingOfUtf8DoesOrIsA400(@ForAll("paths") String segment) {
        Optional<String> expected = strictDecode(segment);
        List<String> chars = segment.chars().mapToObj(Integer::toHexString).toList();
        String decoded;
        try {
            decoded = RoomPath.decode(segment);
        } catch (HeraldException e) {
            assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST);
            assertThat(expected).as("strict decoding of the refused %s", chars).isEmpty();
            return;
        }
        assertThat(Optional.of(decoded)).as("decoding of %s", chars).isEqualTo(expected);
    }

    @Property(tries = 10000)
    void everyPercentEncodedStringDecodesToItself(@ForAll String s, @ForAll boolean upperCaseHex) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        String text = new String(utf8, StandardCharsets.UTF_8);
        StringBuilder encoded = new StringBuilder();
        for (byte b : utf8) {
            encoded.append(String.format(upperCaseHex ? "%%%02X" : "%%%02x", b & 0xFF));
        }
        assertThat(RoomPath.decode(encoded.toString())).isEqualTo(text);
    }

    /** RFC 3986 §2.1: "%" HEXDIG HEXDIG with HEXDIG = DIGIT / "A"-"F" (either case), then strict UTF-8. */
    private static Optional<String> strictDecode(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length() || hex(s.charAt(i + 1)) < 0 || hex(s.charAt(i + 2)) < 0) {
                    return Optional.empty();
                }
                out.write(hex(s.charAt(i + 1)) * 16 + hex(s.charAt(i + 2)));
                i += 2;
            } else if (Character.isHighSurrogate(c)) {
                out.writeBytes(s.substring(i, i + 2).getBytes(StandardCharsets.UTF_8));
                i++;
            } else {
                out.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
            }
        }
        try {
            return Optional.of(StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(out.toByteArray())).toString());
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }

    private static int hex(char c) {
        return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    }
}
