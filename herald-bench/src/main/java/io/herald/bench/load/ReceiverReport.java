package io.herald.bench.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.zip.DataFormatException;
import org.HdrHistogram.Histogram;

/**
 * What receivers report at the end of a run: messages received, connections the server closed (and
 * the last close code), the latency histogram in microseconds, and the CPU spent by child processes
 * (zero for receivers inside the driver's process, whose CPU the driver measures itself).
 */
record ReceiverReport(long received, long closed, int lastCloseCode, Histogram latency, ToolCpu.Usage childCpu) {

    ReceiverReport plus(ReceiverReport o) {
        Histogram h = latency.copy();
        h.add(o.latency);
        return new ReceiverReport(received + o.received, closed + o.closed, Math.max(lastCloseCode, o.lastCloseCode), h,
                childCpu.plus(o.childCpu));
    }

    /** One line of JSON, the form a child process sends its parent. */
    String toJson(ObjectMapper json) {
        ByteBuffer buf = ByteBuffer.allocate(latency.getNeededByteBufferCapacity());
        int n = latency.encodeIntoCompressedByteBuffer(buf);
        ObjectNode o = json.createObjectNode()
                .put("received", received)
                .put("closed", closed)
                .put("lastCloseCode", lastCloseCode)
                .put("cpuNanos", childCpu.cpuNanos())
                .put("maxThreadShare", childCpu.maxThreadShare())
                .put("latency", Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(buf.array(), n)));
        return o.toString();
    }

    static ReceiverReport fromJson(JsonNode o) {
        try {
            Histogram h = Histogram.decodeFromCompressedByteBuffer(
                    ByteBuffer.wrap(Base64.getDecoder().decode(o.get("latency").asText())), LoopStats.MAX_MICROS);
            return new ReceiverReport(o.get("received").asLong(), o.get("closed").asLong(), o.get("lastCloseCode").asInt(), h,
                    new ToolCpu.Usage(o.get("cpuNanos").asLong(), o.get("maxThreadShare").asDouble()));
        } catch (DataFormatException e) {
            throw new IllegalStateException("a child sent a corrupt histogram", e);
        }
    }
}
