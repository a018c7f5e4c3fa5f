package io.herald.bench.load;

import java.io.PrintStream;
import java.util.Arrays;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The load tool's command line: {@code herald-bench <scenario> [options]}. {@link #execute} is the
 * process entry (returns the exit code); {@link #run} is the Java entry the smoke test uses (returns
 * the {@link Result}).
 */
@Command(name = "herald-bench", mixinStandardHelpOptions = true, version = "herald-bench 0.1.0",
        description = "End-to-end load scenarios against Herald, the raw Netty ceiling, or the Socket.IO peer.",
        subcommands = {BroadcastFanout.class, RoomFanout.class, SseFanout.class, LaneAcks.class, Connect.class, YjsEdit.class,
                CdcLag.class, CdcRecord.class})
public final class LoadTool implements Runnable {
    private LoadTool() {
    }

    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }

    /** Runs {@code args} as a command line, printing to stdout/stderr; returns the exit code. */
    public static int execute(String... args) {
        return commandLine(args, System.out).execute(args);
    }

    /**
     * Runs one scenario in this JVM and returns its result (also printed to {@code out}).
     *
     * @throws IllegalArgumentException for a command line that names no scenario
     * @throws Exception whatever the run failed with
     */
    public static Result run(PrintStream out, String... args) throws Exception {
        Scenario s = parse(out, args);
        s.call();
        return s.result();
    }

    /** The scenario {@code args} name, with its options set as a run (or a child process) would see them, not yet run. */
    static Scenario parse(PrintStream out, String... args) {
        CommandLine cl = commandLine(args, out);
        CommandLine.ParseResult parsed = cl.parseArgs(args);
        if (!parsed.hasSubcommand() || !(parsed.subcommand().commandSpec().userObject() instanceof Scenario s)) {
            throw new IllegalArgumentException("not a runnable scenario: " + String.join(" ", args));
        }
        return s;
    }

    private static CommandLine commandLine(String[] args, PrintStream out) {
        CommandLine cl = new CommandLine(new LoadTool());
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        // a split run's children get their share by repeating --processes etc. after the parent's options
        cl.setOverwrittenOptionsAllowed(true);
        cl.setExecutionExceptionHandler((e, c, p) -> {
            c.getErr().println("herald-bench: " + c.getCommandName() + " failed: " + e);
            if (!(e instanceof IllegalArgumentException) && !(e instanceof IllegalStateException)) {
                e.printStackTrace(c.getErr());
            }
            return 1;
        });
        for (CommandLine sub : cl.getSubcommands().values()) {
            if (sub.getCommand() instanceof Scenario s) {
                s.args = args.length > 1 ? Arrays.copyOfRange(args, 1, args.length) : new String[0];
                s.out = out;
            }
        }
        return cl;
    }
}
