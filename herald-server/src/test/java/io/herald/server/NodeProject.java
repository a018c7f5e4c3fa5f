package io.herald.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A node project: a folder of scripts under {@code src/test}, or a package elsewhere in the repository
 * ({@code ../clients/js}). {@code npm ci} once, then scripts or npm commands run in it; missing node or
 * npm fails the test, it never skips it.
 */
public final class NodeProject {
    private static final Duration NPM_TIMEOUT = Duration.ofSeconds(180);
    private static final boolean WINDOWS = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");
    /** The node executable. */
    public static final String NODE = WINDOWS ? "node.exe" : "node";
    private static final String NPM = WINDOWS ? "npm.cmd" : "npm";

    private final Path dir;
    private final String tests;

    /**
     * The project in {@code folder} (relative to the module, e.g. {@code src/test/js} or {@code ../clients/js});
     * {@code tests} names the tests in the failure when node cannot be started, e.g. "the partysocket
     * compatibility tests need".
     */
    public NodeProject(String folder, String tests) {
        this.dir = Path.of(System.getProperty("basedir", "")).toAbsolutePath().resolve(folder).normalize();
        this.tests = tests;
    }

    /** The exit code of a command and its output, errors merged in. */
    public record Result(int exitCode, String output) {
    }

    public Path dir() {
        return dir;
    }

    /** Checks {@code node --version}, then runs {@code npm ci} unless node_modules was installed from the current lockfile already. */
    public void install() throws Exception {
        Result version = run(List.of(NODE, "--version"), Duration.ofSeconds(20), Map.of());
        assertThat(version.exitCode()).as("node --version failed:%n%s", version.output()).isZero();
        Path lock = dir.resolve("package-lock.json");
        Path installed = dir.resolve("node_modules/.package-lock.json");
        if (Files.exists(installed) && Files.getLastModifiedTime(installed).compareTo(Files.getLastModifiedTime(lock)) > 0) {
            return;
        }
        Result r = run(List.of(NPM, "ci", "--no-audit", "--no-fund"), NPM_TIMEOUT, Map.of("npm_config_update_notifier", "false"));
        assertThat(r.exitCode()).as("npm ci in %s exited %d:%n%s", dir, r.exitCode(), r.output()).isZero();
    }

    /** Runs {@code node args...} in the folder; see {@link #run}. */
    public Result node(Duration timeout, Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(NODE);
        command.addAll(List.of(args));
        return run(command, timeout, env);
    }

    /** Runs {@code npm args...} in the folder (a script of its package.json: {@code "run", "build"}); see {@link #run}. */
    public Result npm(Duration timeout, Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(NPM);
        command.addAll(List.of(args));
        return run(command, timeout, env);
    }

    /** Runs {@code command} in the folder, output and errors merged; exit code -1 when it ran past {@code timeout}. */
    public Result run(List<String> command, Duration timeout, Map<String, String> env) throws Exception {
        Path log = Files.createTempFile("herald-" + dir.getFileName() + "-", ".log");
        try {
            Process p = start(command, env, log);
            boolean finished = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!finished) {
                kill(p);
            }
            String output = Files.readString(log);
            return finished ? new Result(p.exitValue(), output)
                    : new Result(-1, output + System.lineSeparator() + "(killed after " + timeout.toSeconds() + " s)");
        } finally {
            Files.deleteIfExists(log);
        }
    }

    /** Starts {@code command} in the folder with {@code env} added, output and errors into {@code log}, stdin closed. */
    public Process start(List<String> command, Map<String, String> env, Path log) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(command)).directory(dir.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        try {
            Process p = pb.start();
            p.getOutputStream().close();
            return p;
        } catch (IOException e) {
            return fail("Cannot start `" + command.get(0) + "`: " + tests + " node and npm on the PATH "
                    + "(DESIGN.md: they are on every machine). " + e.getMessage());
        }
    }

    /** Kills {@code p} and its descendants if it is still running. */
    public static void kill(Process p) throws InterruptedException {
        if (p.isAlive()) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(5, TimeUnit.SECONDS);
        }
    }
}
