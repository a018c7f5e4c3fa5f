package io.herald.bench.cdc;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * A recorded pgoutput stream: the messages a real replication slot sent, each as pgjdbc handed it over
 * (one message per buffer), so a benchmark can replay them without a database. On disk: gzip of a magic
 * line and then, per message, its length (4 bytes, big-endian) and its bytes. The committed recording
 * ({@link #RESOURCE}) was made by {@code herald-bench cdc-record}.
 */
public final class PgOutputRecording {
    /** The recording on the classpath: 100 transactions of 10 row changes of {@code bench_cdc}. */
    public static final String RESOURCE = "/cdc/pgoutput-bench_cdc.bin.gz";
    private static final byte[] MAGIC = "herald-pgoutput-v1\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private PgOutputRecording() {
    }

    /** Writes {@code messages} to {@code file} (replacing it). */
    public static void write(Path file, List<byte[]> messages) throws IOException {
        try (OutputStream raw = Files.newOutputStream(file);
             DataOutputStream out = new DataOutputStream(new GZIPOutputStream(raw))) {
            out.write(MAGIC);
            for (byte[] m : messages) {
                out.writeInt(m.length);
                out.write(m);
            }
        }
    }

    /** The messages of {@link #RESOURCE}, each in a read-only buffer of its own. */
    public static List<ByteBuffer> load() {
        try (InputStream in = PgOutputRecording.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is not on the classpath");
            }
            return read(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The messages of a recording read from {@code raw} (gzip), in order. */
    public static List<ByteBuffer> read(InputStream raw) throws IOException {
        DataInputStream in = new DataInputStream(new GZIPInputStream(raw));
        byte[] magic = new byte[MAGIC.length];
        in.readFully(magic);
        if (!java.util.Arrays.equals(magic, MAGIC)) {
            throw new IOException("not a pgoutput recording");
        }
        List<ByteBuffer> messages = new ArrayList<>();
        while (true) {
            int length;
            try {
                length = in.readInt();
            } catch (EOFException end) {
                return messages;
            }
            byte[] m = new byte[length];
            in.readFully(m);
            messages.add(ByteBuffer.wrap(m).asReadOnlyBuffer());
        }
    }
}
