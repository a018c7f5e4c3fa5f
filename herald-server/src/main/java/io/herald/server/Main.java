package io.herald.server;

import io.herald.server.config.ConfigLoader;
import io.herald.server.config.DevSecrets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * The {@code herald} command line: {@code herald serve [--config herald.yaml] [--port N]}, {@code herald token},
 * {@code herald check-config}, {@code herald default-config} and {@code herald health}.
 */
@Command(name = "herald", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "A realtime server for the JVM.",
        subcommands = {Main.Serve.class, TokenCommand.class, CheckConfigCommand.class, DefaultConfigCommand.class, HealthCommand.class})
public final class Main implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(Main.class);
    private final Map<String, String> env;
    private final Path workDir;

    public Main() {
        this(System.getenv());
    }

    /** A command line reading {@code env} instead of the process environment (tests). */
    Main(Map<String, String> env) {
        this(env, Path.of(""));
    }

    /** A command line reading {@code env}, with dev mode's secrets kept under {@code workDir} instead of the working directory (tests). */
    Main(Map<String, String> env, Path workDir) {
        this.env = Map.copyOf(env);
        this.workDir = workDir;
    }

    /** The environment the commands read. */
    Map<String, String> env() {
        return env;
    }

    /** Where dev mode keeps its secrets: {@code ./data/dev-secrets}. */
    Path devSecretsFile() {
        return workDir.resolve(DevSecrets.DEFAULT);
    }

    /** {@code --config}, else {@code HERALD_CONFIG}, else none. */
    Path configFile(Path given) {
        return given != null ? given : env.containsKey("HERALD_CONFIG") && !env.get("HERALD_CONFIG").isEmpty()
                ? Path.of(env.get("HERALD_CONFIG")) : null;
    }

    /** {@code --version}: the version the build wrote, with the JVM that runs it. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"herald " + io.herald.HeraldVersion.get(),
                    "JVM " + System.getProperty("java.vm.version") + " (" + System.getProperty("java.vm.vendor") + ")"};
        }
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }

    @Override
    public Integer call() {
        CommandLine.usage(this, System.out);
        return 0;
    }

    /** Runs the server until the process is stopped. */
    @Command(name = "serve", mixinStandardHelpOptions = true, description = "Run the server (embedded defaults without a config).")
    static final class Serve implements Callable<Integer> {
        @Option(names = "--config", description = "YAML configuration file (default: $HERALD_CONFIG)")
        Path config;

        @Option(names = "--port", description = "Port to listen on (overrides server.port)")
        Integer port;

        @ParentCommand
        Main main;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws InterruptedException {
            Map<String, String> env = main.env;
            Path file = main.configFile(config);
            ConfigLoader.Loaded loaded = null;
            HeraldServer server;
            try {
                loaded = new ConfigLoader(env).devSecrets(DevSecrets.keptIn(main.devSecretsFile())).load(file, port);
                loaded.warnings().forEach(w -> spec.commandLine().getErr().println("herald: warning: " + w));
                LogOutput.configure(loaded.config().logging());
                spec.commandLine().getErr().flush();
                server = HeraldServer.start(loaded);
            } catch (RuntimeException e) {
                return StartFailure.report(e, loaded == null ? null : loaded.config(), env, spec.commandLine().getErr(),
                        "herald check-config" + (config != null ? " --config " + config : ""));
            }
            ConfigLoader.Loaded started = loaded;
            CountDownLatch stopped = new CountDownLatch(1);
            // SIGTERM and Ctrl-C: /readyz answers 503 for server.drainDelayMs while the rest is served, then sockets get 1012
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                long drain = started.config().server().drainDelayMs();
                log.info(drain == 0 ? "shutting down" : "shutting down: /readyz answers 503 for {} ms (server.drainDelayMs),"
                        + " then the sockets close with 1012", drain);
                server.closeGracefully();
                log.info("stopped");
                stopped.countDown();
            }, "herald-shutdown"));
            log.info("{}", StartSummary.line(loaded.config(), server.port(), server.transport()));
            if (loaded.devMode()) {
                DevBanner.lines(loaded, server.port(), server.servesExamples()).forEach(System.out::println);
                System.out.flush();
            }
            stopped.await();
            return 0;
        }
    }
}
