package io.herald.bench.load;

import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * CPU over one measured window, read at its start and its end: the server's (from /proc, given its
 * pid), the whole machine's, and the load tool's own (its process and its busiest loop thread); they
 * say whether the run was void (the tool saturated) or noisy (other processes busy). Driven by one thread.
 */
final class CpuWindow {
    /** Other processes using more than this share of the machine during the window make the run noisy. */
    static final double NOISY_OTHER_SHARE = 0.10;
    private final Long serverPid;
    private final ToolCpu tool;
    private final OptionalLong server0;
    private final OptionalLong machine0;
    private final long t0;

    /** What the window cost; {@code tool} includes the child processes' CPU once added. */
    record Usage(long elapsedNanos, OptionalLong serverNanos, OptionalLong machineNanos, ToolCpu.Usage tool) {
        Usage plusChildren(ToolCpu.Usage children) {
            return new Usage(elapsedNanos, serverNanos, machineNanos, tool.plus(children));
        }

        /** The tool's CPU as a share of the whole machine. */
        double toolShare() {
            return (double) tool.cpuNanos() / elapsedNanos / cores();
        }

        /** Why the run is void, or null. */
        String voidReason() {
            return ToolCpu.voidReason(toolShare(), tool.maxThreadShare());
        }

        /** Server CPU µs per one of {@code n} (deliveries, publishes), or null without a server pid or with n = 0. */
        Double serverMicrosPer(long n) {
            return serverNanos.isPresent() && n > 0 ? serverNanos.getAsLong() / 1000.0 / n : null;
        }

        /** Adds {@code other_cpu_share} and {@code noisy} when the server's and the machine's CPU are known. */
        void putNoise(Map<String, Object> x) {
            if (serverNanos.isPresent() && machineNanos.isPresent()) {
                // neither the server nor the tool: other processes sharing the machine make a run noisy
                long other = machineNanos.getAsLong() - tool.cpuNanos() - serverNanos.getAsLong();
                double share = Math.max(0, (double) other / elapsedNanos / cores());
                x.put("other_cpu_share", Result.round(share));
                x.put("noisy", share > NOISY_OTHER_SHARE);
            }
        }

        private static int cores() {
            return Runtime.getRuntime().availableProcessors();
        }
    }

    /** Starts the window now; {@code toolThreads} are the tool's loop threads in this process. */
    CpuWindow(Long serverPid, List<Long> toolThreads) {
        this.serverPid = serverPid;
        this.tool = new ToolCpu(toolThreads);
        this.server0 = serverCpu();
        this.machine0 = ProcStat.machineBusyNanos();
        this.t0 = System.nanoTime();
    }

    /** Ends the window now. */
    Usage stop() {
        OptionalLong server = minus(serverCpu(), server0);
        OptionalLong machine = minus(ProcStat.machineBusyNanos(), machine0);
        ToolCpu.Usage usage = tool.stop();
        return new Usage(Math.max(1, System.nanoTime() - t0), server, machine, usage);
    }

    private OptionalLong serverCpu() {
        return serverPid == null ? OptionalLong.empty() : ProcStat.cpuNanos(serverPid);
    }

    private static OptionalLong minus(OptionalLong end, OptionalLong start) {
        return end.isPresent() && start.isPresent() ? OptionalLong.of(end.getAsLong() - start.getAsLong()) : OptionalLong.empty();
    }
}
