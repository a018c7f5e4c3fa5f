package io.herald.redis;

/**
 * One message of a stream as Redis holds and delivers it: the stream's name, the offset the publish
 * script gave it, the epoch it was given in, and the opaque payload bytes (not copied; do not modify).
 */
public record Publication(String stream, long offset, String epoch, byte[] payload) {
}
