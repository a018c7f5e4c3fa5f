package io.herald.server.image;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads a tar stream entry by entry: ustar headers with their prefix, POSIX pax extended headers (path, linkpath,
 * size) and GNU long names, which is what Jib, GNU tar and docker-save write. Not thread-safe; one pass.
 */
final class TarReader implements AutoCloseable {
    /** One member. {@code type} is the typeflag: '0' file, '1' hard link, '2' symbolic link, '5' directory. */
    record Entry(String name, char type, int mode, long uid, long gid, long size, String linkName) {
        boolean isFile() {
            return type == '0' || type == '\0' || type == '7';
        }

        boolean isDirectory() {
            return type == '5';
        }
    }

    private static final int BLOCK = 512;
    private final InputStream in;
    private long remaining;
    private long padding;

    TarReader(InputStream in) {
        this.in = new BufferedInputStream(in, 1 << 16);
    }

    /** The next member, or null at the end of the archive; an unread body of the previous one is skipped. */
    Entry next() throws IOException {
        skip(remaining + padding);
        remaining = 0;
        padding = 0;
        Map<String, String> pax = new HashMap<>();
        String longName = null;
        String longLink = null;
        while (true) {
            byte[] h = in.readNBytes(BLOCK);
            if (h.length < BLOCK || isZero(h)) {
                return null;
            }
            char type = (char) h[156];
            long size = number(h, 124, 12);
            if (type == 'x' || type == 'g' || type == 'L' || type == 'K') {
                byte[] data = in.readNBytes((int) size);
                skip(pad(size));
                if (type == 'x') {
                    pax.putAll(paxRecords(data));
                } else if (type == 'L') {
                    longName = cString(data, 0, data.length);
                } else if (type == 'K') {
                    longLink = cString(data, 0, data.length);
                }
                continue;
            }
            String name = cString(h, 0, 100);
            String prefix = cString(h, 345, 155);
            if (cString(h, 257, 5).equals("ustar") && !prefix.isEmpty()) {
                name = prefix + "/" + name;
            }
            name = pax.getOrDefault("path", longName != null ? longName : name);
            String link = pax.getOrDefault("linkpath", longLink != null ? longLink : cString(h, 157, 100));
            if (pax.containsKey("size")) {
                size = Long.parseLong(pax.get("size"));
            }
            boolean hasBody = type != '1' && type != '2' && type != '5';
            remaining = hasBody ? size : 0;
            padding = hasBody ? pad(size) : 0;
            return new Entry(name, type, (int) number(h, 100, 8), number(h, 108, 8), number(h, 116, 8), size, link);
        }
    }

    /** Copies the current member's body to {@code out}. */
    void copyTo(OutputStream out) throws IOException {
        byte[] buf = new byte[1 << 16];
        while (remaining > 0) {
            int n = in.read(buf, 0, (int) Math.min(buf.length, remaining));
            if (n < 0) {
                throw new EOFException("tar member cut short");
            }
            out.write(buf, 0, n);
            remaining -= n;
        }
    }

    /** The current member's body, for small members. */
    byte[] readAll() throws IOException {
        byte[] data = in.readNBytes((int) remaining);
        remaining -= data.length;
        return data;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    private void skip(long n) throws IOException {
        while (n > 0) {
            long skipped = in.skip(n);
            if (skipped <= 0) {
                if (in.read() < 0) {
                    throw new EOFException("tar archive cut short");
                }
                skipped = 1;
            }
            n -= skipped;
        }
    }

    private static long pad(long size) {
        return (BLOCK - size % BLOCK) % BLOCK;
    }

    private static boolean isZero(byte[] block) {
        for (byte b : block) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    /** Octal, or base-256 when the first byte's high bit is set (GNU, for large sizes and ids). */
    private static long number(byte[] h, int offset, int length) {
        if ((h[offset] & 0x80) != 0) {
            long v = h[offset] & 0x7f;
            for (int i = 1; i < length; i++) {
                v = (v << 8) | (h[offset + i] & 0xff);
            }
            return v;
        }
        String s = cString(h, offset, length).trim();
        return s.isEmpty() ? 0 : Long.parseLong(s, 8);
    }

    private static String cString(byte[] b, int offset, int length) {
        int end = offset;
        while (end < offset + length && b[end] != 0) {
            end++;
        }
        return new String(b, offset, end - offset, StandardCharsets.UTF_8);
    }

    /** "LEN key=value\n" records. */
    private static Map<String, String> paxRecords(byte[] data) {
        Map<String, String> records = new HashMap<>();
        int i = 0;
        while (i < data.length) {
            int space = i;
            while (space < data.length && data[space] != ' ') {
                space++;
            }
            if (space >= data.length) {
                break;
            }
            int len = Integer.parseInt(new String(data, i, space - i, StandardCharsets.US_ASCII));
            String record = new String(data, space + 1, len - (space - i) - 2, StandardCharsets.UTF_8);
            int eq = record.indexOf('=');
            if (eq > 0) {
                records.put(record.substring(0, eq), record.substring(eq + 1));
            }
            i += len;
        }
        return records;
    }
}
