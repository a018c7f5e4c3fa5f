package io.herald.server;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A WebSocket client over a plain {@link Socket}, for what the JDK client cannot do: send any upgrade
 * headers and read a refused upgrade's body, or stop reading entirely with a tiny receive buffer so
 * the server's outbound queue fills up (slow consumer), and read frame by frame when it resumes.
 */
public final class RawWebSocket implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;

    /** The status, headers (lower-case names) and body of an HTTP response. */
    public record Response(int status, Map<String, String> headers, String body) {
    }

    private RawWebSocket(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
    }

    /**
     * Sends a WebSocket upgrade for {@code pathAndQuery} with extra header name/value pairs and reads the
     * response; the connection is closed afterwards, also after a successful 101.
     */
    public static Response upgrade(int port, String pathAndQuery, String... headers) {
        try (Socket s = connect(port, 0)) {
            sendUpgrade(s, port, pathAndQuery, headers);
            return readResponse(s.getInputStream());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Opens a WebSocket with a socket receive buffer of {@code receiveBufferBytes} and never reads from it
     * until asked, so the server's writes back up.
     */
    public static RawWebSocket open(int port, String pathAndQuery, int receiveBufferBytes) {
        try {
            return upgraded(connect(port, receiveBufferBytes), port, pathAndQuery);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Upgrades the open connection {@code s}, which must be answered with 101. */
    private static RawWebSocket upgraded(Socket s, int port, String pathAndQuery) throws IOException {
        sendUpgrade(s, port, pathAndQuery);
        Response r = readResponse(s.getInputStream());
        if (r.status() != 101) {
            s.close();
            throw new AssertionError("upgrade refused: " + r);
        }
        return new RawWebSocket(s);
    }

    /** Sends {@code head} (a request line and headers, CRLF-separated, without the blank line) and reads the response. */
    public static Response request(int port, String head) {
        try (Socket s = connect(port, 0)) {
            OutputStream out = s.getOutputStream();
            out.write((head + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            return readResponse(s.getInputStream());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Sends a plain {@code GET firstPath} on a new connection, reads its whole response, then upgrades the
     * same connection to {@code pathAndQuery} (a keep-alive connection reused for a WebSocket).
     */
    public static RawWebSocket openAfterRequest(int port, String firstPath, String pathAndQuery) {
        try {
            Socket s = connect(port, 0);
            OutputStream out = s.getOutputStream();
            out.write(("GET " + firstPath + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            Response first = readResponse(s.getInputStream());
            if (first.status() != 200 || !first.headers().containsKey("content-length")) {
                s.close();
                throw new AssertionError("first request: " + first);
            }
            return upgraded(s, port, pathAndQuery);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Socket connect(int port, int receiveBufferBytes) throws IOException {
        Socket s = new Socket();
        if (receiveBufferBytes > 0) {
            s.setReceiveBufferSize(receiveBufferBytes);
        }
        s.setSoTimeout(10_000);
        s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        return s;
    }

    private static void sendUpgrade(Socket s, int port, String pathAndQuery, String... headers) throws IOException {
        byte[] nonce = new byte[16];
        new SecureRandom().nextBytes(nonce);
        StringBuilder req = new StringBuilder()
                .append("GET ").append(pathAndQuery).append(" HTTP/1.1\r\n")
                .append("Host: 127.0.0.1:").append(port).append("\r\n")
                .append("Upgrade: websocket\r\n")
                .append("Connection: Upgrade\r\n")
                .append("Sec-WebSocket-Version: 13\r\n");
        boolean ownKey = false;
        for (int i = 0; i < headers.length; i += 2) {
            ownKey |= headers[i].equalsIgnoreCase("Sec-WebSocket-Key");
        }
        if (!ownKey) {
            req.append("Sec-WebSocket-Key: ").append(Base64.getEncoder().encodeToString(nonce)).append("\r\n");
        }
        for (int i = 0; i < headers.length; i += 2) {
            req.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
        }
        req.append("\r\n");
        OutputStream out = s.getOutputStream();
        out.write(req.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    private static Response readResponse(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed in the response head: " + head);
            }
            head.write(b);
            matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
            }
        }
        String body = "";
        if (status != 101 && headers.containsKey("content-length")) {
            body = new String(in.readNBytes(Integer.parseInt(headers.get("content-length"))), StandardCharsets.UTF_8);
        }
        return new Response(status, headers, body);
    }

    /** A frame read off the socket: its opcode (1 text, 2 binary, 8 close...) and payload. */
    public record Frame(int opcode, byte[] payload) {
    }

    /**
     * Reads and discards data frames until the server's close frame, and returns its status code;
     * -1 when the connection ends without one.
     */
    public int readUntilClose() {
        try {
            while (true) {
                // pings go unanswered here: tests of the liveness check wait with this for the server to give up
                Frame f = readFrame();
                if (f.opcode() == 0x8) {
                    return f.payload().length >= 2 ? ((f.payload()[0] & 0xff) << 8) | (f.payload()[1] & 0xff) : 1005;
                }
            }
        } catch (UncheckedIOException e) {
            if (e.getCause() instanceof EOFException) {
                return -1;
            }
            throw e;
        }
    }

    /**
     * Reads the next frame that is not a ping, answering each ping with its pong as a live client does: the
     * server pings a socket that has been quiet for its ping interval, which a busy machine can reach
     * mid-test, and closes one that does not answer.
     */
    public Frame readFrameAnsweringPings() {
        while (true) {
            Frame f = readFrame();
            if (f.opcode() != 0x9) {
                return f;
            }
            sendFrame(0xA, f.payload(), true);
        }
    }

    /** Reads the next data or close frame: pings are answered and pongs skipped ({@link #readFrameAnsweringPings}). */
    public Frame readDataFrame() {
        while (true) {
            Frame f = readFrameAnsweringPings();
            if (f.opcode() != 0xA) {
                return f;
            }
        }
    }

    /**
     * Reads the next frame as it comes, control frames included (unfragmented, as the server sends them),
     * waiting up to the 10 s socket timeout; tests that wait for data read {@link #readDataFrame}.
     */
    public Frame readFrame() {
        try {
            int b0 = readByte();
            int b1 = readByte();
            long len = b1 & 0x7f;
            if (len == 126) {
                len = ((long) readByte() << 8) | readByte();
            } else if (len == 127) {
                len = 0;
                for (int i = 0; i < 8; i++) {
                    len = (len << 8) | readByte();
                }
            }
            byte[] payload = in.readNBytes((int) len);
            if (payload.length < len) {
                throw new EOFException("connection closed in a frame");
            }
            return new Frame(b0 & 0x0f, payload);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends {@code bytes} as they are: frames built elsewhere, well-formed or not. */
    public void sendRaw(byte[] bytes) {
        try {
            OutputStream out = socket.getOutputStream();
            out.write(bytes);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends one masked binary frame. */
    public void sendBinary(byte[] payload) {
        sendFrame(0x2, payload, true);
    }

    /** Sends one final frame with {@code opcode}, masked as clients must unless {@code masked} is false. */
    public void sendFrame(int opcode, byte[] payload, boolean masked) {
        send(frame(opcode, payload, masked, true));
    }

    /** Sends one masked frame of a fragmented message: opcode 0 continues it, {@code fin} ends it. */
    public void sendFragment(int opcode, byte[] payload, boolean fin) {
        send(frame(opcode, payload, true, fin));
    }

    /** Writes {@code bytes} as they are: frames made with {@link #frame}, many at a time. */
    public void send(byte[] bytes) {
        try {
            OutputStream out = socket.getOutputStream();
            out.write(bytes);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The bytes of one client frame. */
    public static byte[] frame(int opcode, byte[] payload, boolean masked, boolean fin) {
        ByteArrayOutputStream frame = new ByteArrayOutputStream(payload.length + 14);
        frame.write((fin ? 0x80 : 0) | opcode);
        int maskBit = masked ? 0x80 : 0;
        if (payload.length < 126) {
            frame.write(maskBit | payload.length);
        } else if (payload.length <= 0xFFFF) {
            frame.write(maskBit | 126);
            frame.write(payload.length >>> 8);
            frame.write(payload.length & 0xff);
        } else {
            frame.write(maskBit | 127);
            for (int i = 7; i >= 0; i--) {
                frame.write((int) ((long) payload.length >>> (8 * i)) & 0xff);
            }
        }
        byte[] mask = new byte[4];
        if (masked) {
            new SecureRandom().nextBytes(mask);
            frame.writeBytes(mask);
        }
        for (int i = 0; i < payload.length; i++) {
            frame.write(payload[i] ^ mask[i % 4]);
        }
        return frame.toByteArray();
    }

    /** True once the server has closed the connection (reads end of stream within the socket timeout). */
    public boolean readsEndOfStream() {
        try {
            return in.read() < 0;
        } catch (IOException e) {
            return true;
        }
    }

    private int readByte() throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new EOFException();
        }
        return b;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
