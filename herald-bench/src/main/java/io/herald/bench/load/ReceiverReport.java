package io.herald.bench.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.zip.DataFormatException;
import org.HdrHistogram.Histogram;

/**
 * What receivers report at the end of a run: messages received, connections the server closed (and
 * the last close code), the latency histogram in microseconds, the CPU spent by child processes
 * (zero for receivers inside the driver's process, whose CPU the driver measures itself), and, per
 * server the sockets connected to ({@code --urls}), what that server's sockets received (empty when
 * nobody split them).
 */
record ReceiverReport(long received, long closed, int lastCloseCode, Histogram latency, ToolCpu.Usage childCpu,
                      List<ServerShare> servers) {

    /** What the sockets on one server received, and their latency histogram. */
    record ServerShare(long received, Histogram latency) {
        ServerShare plus(ServerShare o) {
            Histogram h = latency.copy();
            h.add(o.latency);
            return new ServerShare(received + o.received, h);
        }
    }

    ReceiverReport(long received, long closed, int lastCloseCode, Histogram latency, ToolCpu.Usage childCpu) {
        this(received, closed, lastCloseCode, latency, childCpu, List.of());
    }

    ReceiverReport withChildCpu(ToolCpu.Usage cpu) {
        return new ReceiverReport(received, closed, lastCloseCode, latency, cpu, servers);
    }

    ReceiverReport plus(ReceiverReport o) {
        Histogram h = latency.copy();
        h.add(o.latency);
        return new ReceiverReport(received + o.received, closed + o.closed, Math.max(lastCloseCode, o.lastCloseCode), h,
                childCpu.plus(o.childCpu), plus(servers, o.servers));
    }

    /** Server by server; a report without a split (a publisher's, the empty start of a sum) adds nothing. */
    private static List<ServerShare> plus(List<ServerShare> a, List<ServerShare> b) {
        if (a.isEmpty() || b.isEmpty()) {
            return a.isEmpty() ? b : a;
        }
        if (a.size() != b.size()) {
            throw new IllegalStateException("reports over " + a.size() + " and " + b.size() + " servers do not add up");
        }
        List<ServerShare> sum = new ArrayList<>(a.size());
        for (int i = 0; i < a.size(); i++) {
            sum.add(a.get(i).plus(b.get(i)));
        }
        return sum;
    }

    /** One line of JSON, the form a child process sends its parent. */
    String toJson(ObjectMapper json) {
        ObjectNode o = json.createObjectNode()
                .put("received", received)
                .put("closed", closed)
                .put("lastCloseCode", lastCloseCode)
                .put("cpuNanos", childCpu.cpuNanos())
                .put("maxThreadShare", childCpu.maxThreadShare())
                .put("latency", encode(latency));
        ArrayNode shares = o.putArray("servers");
        for (ServerShare s : servers) {
            shares.addObject().put("received", s.received).put("latency", encode(s.latency));
        }
        return o.toString();
    }

    static ReceiverReport fromJson(JsonNode o) {
        List<ServerShare> shares = new ArrayList<>();
        for (JsonNode s : o.path("servers")) {
            shares.add(new ServerShare(s.get("received").asLong(), decode(s.get("latency").asText())));
        }
        return new ReceiverReport(o.get("received").asLong(), o.get("closed").asLong(), o.get("lastCloseCode").asInt(),
                decode(o.get("latency").asText()), new ToolCpu.Usage(o.get("cpuNanos").asLong(), o.get("maxThreadShare").asDouble()),
                shares);
    }

    private static String encode(Histogram h) {
        ByteBuffer buf = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
        int n = h.encodeIntoCompressedByteBuffer(buf);
        return Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(buf.array(), n));
    }

    private static Histogram decode(String base64) {
        try {
            return Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(Base64.getDecoder().decode(base64)), LoopStats.MAX_MICROS);
        } catch (DataFormatException e) {
            throw new IllegalStateException("a child sent a corrupt histogram", e);
        }
    }
}
