package io.herald.bench.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * Reads a process's CPU time (utime + stime of {@code /proc/<pid>/stat}) and resident set
 * ({@code VmRSS} of {@code /proc/<pid>/status}). Linux only; other systems get empty answers.
 * Resolution is one clock tick (10 ms at the usual CLK_TCK of 100), fine over runs of seconds.
 */
final class ProcStat {
    private static final long TICKS_PER_SECOND = clockTicks();

    private ProcStat() {
    }

    /** CPU time of {@code pid} in nanoseconds, user plus system. */
    static OptionalLong cpuNanos(long pid) {
        return cpuNanos(pid, false);
    }

    /**
     * CPU time of {@code pid} and every process under it, in nanoseconds: for a server made of processes,
     * such as PostgreSQL (a postmaster, its backends and WAL senders). Each counts its own time and that of
     * the children it has reaped, so a backend that ends between two readings is still counted in the second.
     */
    static OptionalLong treeCpuNanos(long pid) {
        OptionalLong root = cpuNanos(pid, true);
        if (root.isEmpty()) {
            return root;
        }
        long sum = root.getAsLong();
        for (ProcessHandle child : ProcessHandle.of(pid).map(h -> h.descendants().toList()).orElse(java.util.List.of())) {
            sum += cpuNanos(child.pid(), true).orElse(0);
        }
        return OptionalLong.of(sum);
    }

    private static OptionalLong cpuNanos(long pid, boolean withReapedChildren) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // the command name (field 2) may contain spaces and parentheses: count fields after the last ')'
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
            if (withReapedChildren) {
                ticks += Long.parseLong(f[13]) + Long.parseLong(f[14]);
            }
            return OptionalLong.of(ticks * TimeUnit.SECONDS.toNanos(1) / TICKS_PER_SECOND);
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty();
        }
    }

    /** Resident set size of {@code pid} in bytes. */
    static OptionalLong rssBytes(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return OptionalLong.of(Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024);
                }
            }
            return OptionalLong.empty();
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty();
        }
    }

    /**
     * Busy CPU time of the whole machine in nanoseconds (every state of the aggregate {@code cpu} line of
     * {@code /proc/stat} but idle and iowait): with the server's and the tool's own, it tells how much
     * else ran during a run.
     */
    static OptionalLong machineBusyNanos() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long busy = 0;
            for (int i = 1; i < Math.min(f.length, 9); i++) {
                if (i != 4 && i != 5) {
                    busy += Long.parseLong(f[i]);
                }
            }
            return OptionalLong.of(busy * TimeUnit.SECONDS.toNanos(1) / TICKS_PER_SECOND);
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty();
        }
    }

    static long self() {
        return ProcessHandle.current().pid();
    }

    private static long clockTicks() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            p.waitFor(2, TimeUnit.SECONDS);
            return Long.parseLong(out);
        } catch (IOException | RuntimeException e) {
            return 100;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 100;
        }
    }
}
