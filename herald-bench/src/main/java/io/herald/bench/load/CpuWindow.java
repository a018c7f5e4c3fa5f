package io.herald.bench.load;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * CPU over one measured window, read at its start and its end: the servers' (from /proc, given their
 * pids; one, or the nodes of a cluster), a Redis's (given its pid), a database's (given its postmaster's
 * pid: the postmaster and every process under it), the whole machine's, and the load
 * tool's own (its process and its busiest loop thread); they say whether the run was void (the tool
 * saturated) or noisy (other processes busy). Driven by one thread.
 */
final class CpuWindow {
    /** Other processes using more than this share of the machine during the window make the run noisy. */
    static final double NOISY_OTHER_SHARE = 0.10;
    private final List<Long> serverPids;
    private final Long redisPid;
    private final Long databasePid;
    private final ToolCpu tool;
    private final List<OptionalLong> servers0;
    private final OptionalLong redis0;
    private final OptionalLong database0;
    private final OptionalLong machine0;
    private final long t0;

    /**
     * What the window cost; {@code tool} includes the child processes' CPU once added. {@code serverNanos}
     * is the sum over {@code perServerNanos} (empty when any is unknown); {@code redisNanos} is empty without a Redis pid,
     * {@code databaseNanos} without a database pid.
     */
    record Usage(long elapsedNanos, OptionalLong serverNanos, OptionalLong machineNanos, ToolCpu.Usage tool,
                 List<OptionalLong> perServerNanos, OptionalLong redisNanos, OptionalLong databaseNanos) {
        Usage plusChildren(ToolCpu.Usage children) {
            return new Usage(elapsedNanos, serverNanos, machineNanos, tool.plus(children), perServerNanos, redisNanos, databaseNanos);
        }

        /** The database's CPU over the window in cores, or null without its pid. */
        Double databaseCores() {
            return databaseNanos.isPresent() ? (double) databaseNanos.getAsLong() / elapsedNanos : null;
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
            return microsPer(serverNanos, n);
        }

        /** Server {@code i}'s CPU µs per one of {@code n}, or null without its pid or with n = 0. */
        Double serverMicrosPer(int i, long n) {
            return i < perServerNanos.size() ? microsPer(perServerNanos.get(i), n) : null;
        }

        /** Server {@code i}'s CPU over the window in cores (1.0 = one core busy throughout), or null without its pid. */
        Double serverCores(int i) {
            return i < perServerNanos.size() && perServerNanos.get(i).isPresent()
                    ? (double) perServerNanos.get(i).getAsLong() / elapsedNanos : null;
        }

        /** Redis's CPU µs per one of {@code n} (publishes), or null without its pid or with n = 0. */
        Double redisMicrosPer(long n) {
            return microsPer(redisNanos, n);
        }

        /** Adds {@code other_cpu_share} and {@code noisy} when the server's and the machine's CPU are known. */
        void putNoise(Map<String, Object> x) {
            if (serverNanos.isPresent() && machineNanos.isPresent()) {
                // neither the servers, their Redis or database nor the tool: other processes sharing the machine make a run noisy
                long other = machineNanos.getAsLong() - tool.cpuNanos() - serverNanos.getAsLong() - redisNanos.orElse(0)
                        - databaseNanos.orElse(0);
                double share = Math.max(0, (double) other / elapsedNanos / cores());
                x.put("other_cpu_share", Result.round(share));
                x.put("noisy", share > NOISY_OTHER_SHARE);
            }
        }

        private static Double microsPer(OptionalLong nanos, long n) {
            return nanos.isPresent() && n > 0 ? nanos.getAsLong() / 1000.0 / n : null;
        }

        private static int cores() {
            return Runtime.getRuntime().availableProcessors();
        }
    }

    /** Starts the window now; {@code toolThreads} are the tool's loop threads in this process. */
    CpuWindow(Long serverPid, List<Long> toolThreads) {
        this(serverPid == null ? List.of() : List.of(serverPid), null, toolThreads);
    }

    /** Starts the window now over several servers (none: no server figures) and, unless null, a Redis. */
    CpuWindow(List<Long> serverPids, Long redisPid, List<Long> toolThreads) {
        this(serverPids, redisPid, null, toolThreads);
    }

    /** Starts the window now over several servers, a Redis and a database (each unless null). */
    CpuWindow(List<Long> serverPids, Long redisPid, Long databasePid, List<Long> toolThreads) {
        this.serverPids = List.copyOf(serverPids);
        this.redisPid = redisPid;
        this.databasePid = databasePid;
        this.tool = new ToolCpu(toolThreads);
        this.servers0 = serverCpu();
        this.redis0 = redisCpu();
        this.database0 = databaseCpu();
        this.machine0 = ProcStat.machineBusyNanos();
        this.t0 = System.nanoTime();
    }

    /** Ends the window now. */
    Usage stop() {
        List<OptionalLong> servers1 = serverCpu();
        List<OptionalLong> perServer = new ArrayList<>(serverPids.size());
        for (int i = 0; i < serverPids.size(); i++) {
            perServer.add(minus(servers1.get(i), servers0.get(i)));
        }
        OptionalLong redis = minus(redisCpu(), redis0);
        OptionalLong database = minus(databaseCpu(), database0);
        OptionalLong machine = minus(ProcStat.machineBusyNanos(), machine0);
        ToolCpu.Usage usage = tool.stop();
        return new Usage(Math.max(1, System.nanoTime() - t0), sum(perServer), machine, usage, List.copyOf(perServer), redis, database);
    }

    /** The servers' total: a process named twice (nodes in one JVM, as in the smoke test) counts once. */
    private OptionalLong sum(List<OptionalLong> perServer) {
        List<OptionalLong> distinct = new ArrayList<>();
        for (int i = 0; i < perServer.size(); i++) {
            if (serverPids.indexOf(serverPids.get(i)) == i) {
                distinct.add(perServer.get(i));
            }
        }
        return sumOf(distinct);
    }

    private List<OptionalLong> serverCpu() {
        return serverPids.stream().map(ProcStat::cpuNanos).toList();
    }

    private OptionalLong redisCpu() {
        return redisPid == null ? OptionalLong.empty() : ProcStat.cpuNanos(redisPid);
    }

    private OptionalLong databaseCpu() {
        return databasePid == null ? OptionalLong.empty() : ProcStat.treeCpuNanos(databasePid);
    }

    private static OptionalLong sumOf(List<OptionalLong> parts) {
        if (parts.isEmpty() || parts.stream().anyMatch(OptionalLong::isEmpty)) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(parts.stream().mapToLong(OptionalLong::getAsLong).sum());
    }

    private static OptionalLong minus(OptionalLong end, OptionalLong start) {
        return end.isPresent() && start.isPresent() ? OptionalLong.of(end.getAsLong() - start.getAsLong()) : OptionalLong.empty();
    }
}
