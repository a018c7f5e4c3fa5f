package io.herald.bench;

import io.herald.bench.ceiling.RawFanoutServer;
import io.herald.bench.load.LoadTool;
import java.util.Arrays;

/**
 * The entry point of {@code herald-bench.jar}: {@code jmh ...} (or no argument, or JMH options) runs
 * the JMH benchmarks, {@code ceiling ...} runs the raw Netty fan-out server, a scenario name runs the
 * load tool.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || args[0].equals("jmh") || args[0].startsWith("-")) {
            // JMH keeps its own command line: "-prof gc", a benchmark regex, "-l" ...
            String[] rest = args.length > 0 && args[0].equals("jmh") ? Arrays.copyOfRange(args, 1, args.length) : args;
            org.openjdk.jmh.Main.main(rest);
        } else if (args[0].equals("ceiling")) {
            RawFanoutServer.main(Arrays.copyOfRange(args, 1, args.length));
        } else {
            System.exit(LoadTool.execute(args));
        }
    }
}
