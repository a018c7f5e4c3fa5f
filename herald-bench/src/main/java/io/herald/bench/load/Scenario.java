package io.herald.bench.load;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import picocli.CommandLine.Mixin;

/**
 * A load scenario as a picocli subcommand: validates the shared options, runs either as the driver
 * (prints a human table and one JSON line) or, with {@code --child}, as one receiving process of a
 * split run.
 */
abstract class Scenario implements Callable<Integer> {
    private static final AtomicInteger RUNS = new AtomicInteger();

    @Mixin
    LoadOptions o;

    /** This scenario's own arguments, as given: a split run hands them to its children. */
    String[] args = new String[0];
    PrintStream out = System.out;
    private Result result;

    abstract String name();

    /** The sockets this scenario's receivers open. */
    abstract SocketPlan plan();

    abstract Result run() throws Exception;

    /** How this scenario's receiving sockets talk: the target's WebSocket dialect unless the scenario says otherwise. */
    WireProtocol protocol() {
        return o.target.protocol();
    }

    /** The targets this scenario can measure. */
    Set<Target> targets() {
        return Target.FANOUT;
    }

    /** Whether the scenario can spread its sockets over several servers ({@code --urls}) and read a Redis's CPU. */
    boolean manyServers() {
        return false;
    }

    /** Whether the run uses Herald's secrets: the access token to publish, and the JWT secret unless {@link #needsJwtSecret} says no. */
    boolean needsHeraldSecrets() {
        return true;
    }

    /** Whether the run mints session JWTs. */
    boolean needsJwtSecret() {
        return needsHeraldSecrets();
    }

    @Override
    public Integer call() throws Exception {
        o.validate(needsHeraldSecrets(), needsJwtSecret());
        if (!targets().contains(o.target)) {
            throw new IllegalArgumentException(name() + " does not run against --target " + o.target.name().toLowerCase(Locale.ROOT));
        }
        if ((o.servers().size() > 1 || o.redisPid != null) && !manyServers()) {
            throw new IllegalArgumentException(name() + " runs against one server: --urls with several URLs and --redis-pid are for "
                    + "broadcast-fanout, room-fanout and yjs-edit");
        }
        if (o.child) {
            return ChildMode.serve(o, plan(), protocol());
        }
        if (o.runId == null) {
            o.runId = newRunId();
            // children must name the same channel and users as their parent
            args = Stream.concat(Arrays.stream(args), Stream.of("--run-id", o.runId)).toArray(String[]::new);
        }
        result = run();
        if (!o.jsonOnly) {
            out.print(result.table());
        }
        out.println(result.toJson());
        return 0;
    }

    Result result() {
        return result;
    }

    /** {@code count} receiving sockets starting at socket {@code first}: here, or over {@code --processes} children. */
    Receivers receivers(int first, int count) {
        return o.processes > 1 ? new ChildReceivers(o, name(), args, first, count)
                : new LocalReceivers(o, plan(), protocol(), first, count);
    }

    /**
     * Unique enough per run on one server (this process, the time, a counter for runs inside one JVM such
     * as the smoke test's), so a run never meets an earlier run's channel replay or lane sockets.
     */
    private static String newRunId() {
        return Long.toString(ProcessHandle.current().pid(), 36) + "-" + Long.toString(System.currentTimeMillis(), 36)
                + "-" + RUNS.incrementAndGet();
    }
}
