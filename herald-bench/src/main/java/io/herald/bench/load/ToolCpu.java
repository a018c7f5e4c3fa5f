package io.herald.bench.load;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.List;

/**
 * The load tool's own CPU over the measured window: the whole process, and each event-loop thread
 * (a loop above ~85 % of a core is queueing reads, so what it measures is its own delay).
 * One instance per window; not thread-safe.
 */
final class ToolCpu {
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final List<Long> loopThreads;
    private final long[] threadStart;
    private final long processStart;
    private final long wallStart;

    /** What one process spent: CPU nanoseconds, and its busiest loop thread's share of one core. */
    record Usage(long cpuNanos, double maxThreadShare) {
        Usage plus(Usage o) {
            return new Usage(cpuNanos + o.cpuNanos, Math.max(maxThreadShare, o.maxThreadShare));
        }
    }

    /** A loop thread busier than this is queueing work: its own delay shows up as latency. */
    static final double MAX_THREAD_SHARE = 0.85;
    /** Past this share of the whole machine the tool competes with the server for CPU. */
    static final double MAX_MACHINE_SHARE = 0.90;

    /** Why a run is void, or null when the tool had headroom. */
    static String voidReason(double machineShare, double maxThreadShare) {
        if (maxThreadShare > MAX_THREAD_SHARE) {
            return String.format(java.util.Locale.ROOT, "a load-tool event loop was %.0f %% busy (limit %.0f %%): add --event-loops or --processes",
                    100 * maxThreadShare, 100 * MAX_THREAD_SHARE);
        }
        if (machineShare > MAX_MACHINE_SHARE) {
            return String.format(java.util.Locale.ROOT, "the load tool used %.0f %% of the machine (limit %.0f %%)",
                    100 * machineShare, 100 * MAX_MACHINE_SHARE);
        }
        return null;
    }

    ToolCpu(List<Long> loopThreads) {
        this.loopThreads = loopThreads;
        this.threadStart = new long[loopThreads.size()];
        for (int i = 0; i < threadStart.length; i++) {
            threadStart[i] = threads.getThreadCpuTime(loopThreads.get(i));
        }
        this.processStart = ProcStat.cpuNanos(ProcStat.self()).orElse(0);
        this.wallStart = System.nanoTime();
    }

    Usage stop() {
        long wall = Math.max(1, System.nanoTime() - wallStart);
        double max = 0;
        for (int i = 0; i < threadStart.length; i++) {
            long now = threads.getThreadCpuTime(loopThreads.get(i));
            if (now >= 0 && threadStart[i] >= 0) {
                max = Math.max(max, (double) (now - threadStart[i]) / wall);
            }
        }
        long process = ProcStat.cpuNanos(ProcStat.self()).orElse(0) - processStart;
        return new Usage(process, max);
    }
}
