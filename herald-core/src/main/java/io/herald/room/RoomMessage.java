package io.herald.room;

import io.herald.EncodedMessage;
import java.nio.charset.StandardCharsets;

/** A message a room receives or sends: a text frame or a binary frame. */
public sealed interface RoomMessage permits RoomMessage.Text, RoomMessage.Binary {

    /** A text frame. */
    record Text(String text) implements RoomMessage {
        @Override
        public byte[] bytes() {
            return text.getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public EncodedMessage encoded() {
            return EncodedMessage.text(bytes());
        }
    }

    /** A binary frame; the array is not copied, so do not modify it after sending. */
    record Binary(byte[] data) implements RoomMessage {
        @Override
        public byte[] bytes() {
            return data;
        }

        @Override
        public EncodedMessage encoded() {
            return EncodedMessage.binary(data);
        }
    }

    /** The frame's payload bytes (UTF-8 for text). */
    byte[] bytes();

    /** The message as shareable wire bytes. */
    EncodedMessage encoded();

    static RoomMessage text(String s) {
        return new Text(s);
    }

    static RoomMessage binary(byte[] b) {
        return new Binary(b);
    }
}
