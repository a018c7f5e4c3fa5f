package io.herald.bench.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * The child side of a split run ({@code --child}): holds its share of the receiving sockets and
 * follows the parent's line protocol on stdin/stdout.
 * <pre>
 * child → parent: prepared | ready {connect report} | progress &lt;received&gt; &lt;probed&gt; | result {report}
 * parent → child: connect | measure &lt;fromMicros&gt; | stop
 * </pre>
 * Progress lines go out every 20 ms so the parent's pacer can hold its lag limit. Stdin closing
 * (the parent died) ends the child.
 */
final class ChildMode {
    private static final long PROGRESS_EVERY_MS = 20;

    private ChildMode() {
    }

    static int serve(LoadOptions o, SocketPlan plan, WireProtocol protocol) throws IOException, InterruptedException {
        ObjectMapper json = new ObjectMapper();
        PrintStream out = System.out;
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        try (LocalReceivers receivers = new LocalReceivers(o, plan, protocol, o.firstSocket, o.childSockets)) {
            receivers.prepare();
            say(out, "prepared");
            if (!"connect".equals(in.readLine())) {
                return 1;
            }
            ConnectReport c = receivers.connect();
            say(out, "ready " + json.createObjectNode().put("connected", c.connected()).put("failed", c.failed())
                    .put("error", c.firstError()));
            Thread progress = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    say(out, "progress " + receivers.received() + " " + receivers.probed());
                    try {
                        Thread.sleep(PROGRESS_EVERY_MS);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "bench-child-progress");
            progress.setDaemon(true);
            progress.start();
            ToolCpu cpu = null;
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.startsWith("measure ")) {
                    receivers.startMeasure(Long.parseLong(line.substring(8).trim()));
                    cpu = new ToolCpu(receivers.localThreadIds());
                } else if (line.equals("stop")) {
                    ToolCpu.Usage usage = cpu == null ? new ToolCpu.Usage(0, 0) : cpu.stop();
                    progress.interrupt();
                    progress.join(1000);
                    ReceiverReport r = receivers.finish();
                    r = r.withChildCpu(usage);
                    say(out, "result " + r.toJson(json));
                    return 0;
                }
            }
            return 1;
        }
    }

    private static void say(PrintStream out, Object line) {
        synchronized (out) {
            out.println(line);
            out.flush();
        }
    }
}
