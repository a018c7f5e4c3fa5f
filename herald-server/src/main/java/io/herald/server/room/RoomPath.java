package io.herald.server.room;

import io.herald.ErrorCode;
import io.herald.HeraldException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A room URL's parts: {@code /<prefix>/<party>/<room>[/more]}, empty segments ignored, the room id
 * percent-decoded (strict UTF-8) and at most {@link #MAX_ROOM_CHARS} characters.
 */
public record RoomPath(String party, String room) {
    public static final int MAX_ROOM_CHARS = 256;

    /** Parses the raw path of a request routed under {@code prefix} (e.g. {@code /parties}). */
    public static RoomPath parse(String rawPath, String prefix) {
        // Empty segments are skipped before the prefix too: partysocket's prefix "/realtime" builds
        // "//realtime/<party>/<room>", which PartyServer's router accepts (spec §1).
        List<String> parts = segments(rawPath);
        parts = parts.subList(Math.min(segments(prefix).size(), parts.size()), parts.size());
        if (parts.size() < 2) {
            throw new HeraldException(ErrorCode.NOT_FOUND, "A room URL is /" + prefix.substring(1) + "/<party>/<room>.");
        }
        String room = decode(parts.get(1));
        if (room.isEmpty() || room.length() > MAX_ROOM_CHARS) {
            throw new HeraldException(ErrorCode.BAD_REQUEST, "Room ids are 1.." + MAX_ROOM_CHARS + " characters.");
        }
        return new RoomPath(parts.get(0), room);
    }

    private static List<String> segments(String path) {
        List<String> parts = new ArrayList<>();
        for (String s : path.split("/")) {
            if (!s.isEmpty()) {
                parts.add(s);
            }
        }
        return parts;
    }

    /** Strict percent-decoding of one path segment (UTF-8; {@code +} stays {@code +}). */
    public static String decode(String s) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); ) {
            if (s.charAt(i) == '%') {
                if (i + 2 >= s.length()) {
                    throw bad();
                }
                int hi = hex(s.charAt(i + 1));
                int lo = hex(s.charAt(i + 2));
                if (hi < 0 || lo < 0) {
                    throw bad();
                }
                out.write(hi * 16 + lo);
                i += 3;
            } else {
                // the run up to the next escape at once, so a character outside the BMP keeps its surrogate pair
                int end = s.indexOf('%', i);
                end = end < 0 ? s.length() : end;
                byte[] b = s.substring(i, end).getBytes(StandardCharsets.UTF_8);
                out.write(b, 0, b.length);
                i = end;
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(out.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            throw bad();
        }
    }

    /** An ASCII hex digit's value, else -1 ({@link Character#digit} would also take other scripts' digits, such as U+0661). */
    private static int hex(char c) {
        return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    }

    private static HeraldException bad() {
        return new HeraldException(ErrorCode.BAD_REQUEST, "The room id is not valid percent-encoded UTF-8.");
    }
}
