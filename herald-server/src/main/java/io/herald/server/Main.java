package io.herald.server;

import io.herald.auth.JwtSigner;
import io.herald.config.ConfigException;
import io.herald.server.config.ConfigLoader;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
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

/** The {@code herald} command line: {@code herald serve [--config herald.yaml] [--port N]}. */
@Command(name = "herald", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "A realtime server for the JVM.", subcommands = {Main.Serve.class, DefaultConfigCommand.class, HealthCommand.class})
public final class Main implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(Main.class);
    private final Map<String, String> env;

    public Main() {
        this(System.getenv());
    }

    /** A command line reading {@code env} instead of the process environment (tests). */
    Main(Map<String, String> env) {
        this.env = Map.copyOf(env);
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
            Path file = config != null ? config : env.containsKey("HERALD_CONFIG") ? Path.of(env.get("HERALD_CONFIG")) : null;
            ConfigLoader.Loaded loaded;
            HeraldServer server;
            try {
                loaded = new ConfigLoader(env).load(file, port);
                loaded.warnings().forEach(w -> spec.commandLine().getErr().println("herald: warning: " + w));
                LogOutput.configure(loaded.config().logging());
                server = HeraldServer.start(loaded);
            } catch (ConfigException e) {
                spec.commandLine().getErr().println("herald: configuration error: " + e.getMessage());
                spec.commandLine().getErr().flush();
                return 2;
            }
            CountDownLatch stopped = new CountDownLatch(1);
            // SIGTERM and Ctrl-C: /readyz answers 503 for server.drainDelayMs while the rest is served, then sockets get 1012
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                long drain = loaded.config().server().drainDelayMs();
                log.info(drain == 0 ? "shutting down" : "shutting down: /readyz answers 503 for {} ms (server.drainDelayMs),"
                        + " then the sockets close with 1012", drain);
                server.closeGracefully();
                log.info("stopped");
                stopped.countDown();
            }, "herald-shutdown"));
            log.info("{}", StartSummary.line(loaded.config(), server.port(), server.transport()));
            if (loaded.devMode()) {
                printDevBanner(loaded, server.port(), server.servesExamples());
            }
            stopped.await();
            return 0;
        }

        /** Printed to stdout once, never logged: the dev secrets and what to try next. */
        private static void printDevBanner(ConfigLoader.Loaded loaded, int port, boolean examples) {
            var cfg = loaded.config();
            // with only an identity provider's keys there is no secret to sign an example with
            String jwt = cfg.auth().jwt().secret() == null ? "<a JWT from your identity provider>"
                    : new JwtSigner(cfg.auth().jwt().secret()).sign(Map.of(
                            "sub", "dev_user", "name", "Dev User", "orgs", Map.of("org_dev", List.of("owner")),
                            "exp", Instant.now().plusSeconds(24 * 3600).getEpochSecond()));
            String base = (cfg.server().tls() == null ? "http" : "https") + "://localhost:" + port;
            System.out.println();
            System.out.println("WARNING: dev mode. No " + String.join(" / ", loaded.generated())
                    + " was given, so random ones were generated for this run only. Set them in the environment for real use.");
            System.out.println("  ACCESS_TOKEN=" + cfg.server().accessToken());
            if (cfg.auth().jwt().secret() != null) {
                System.out.println("  example user JWT (dev_user, org_dev, owner, 24 h): " + jwt);
            }
            System.out.println();
            System.out.println("Try:");
            System.out.println(examples ? "  examples (dashboard, chat, editor, feed; sign in with the ACCESS_TOKEN): " + base + "/examples/"
                    : "  (no examples: this jar was built with -Dherald.examples.skip)");
            System.out.println("  curl " + base + "/healthz");
            System.out.println("  curl -X POST " + base + "/broadcast/v1/ws-ticket -H 'Authorization: Bearer " + jwt + "'");
            System.out.println("  websocat '" + base.replace("http", "ws") + "/broadcast/v1/websocket?ws_ticket=<wsTicket>'");
            System.out.println("  curl -X POST " + base + "/broadcast/v1/broadcast -H 'Authorization: Bearer "
                    + cfg.server().accessToken() + "' -H 'Content-Type: application/json' \\");
            System.out.println("       -d '{\"event\":\"hello\",\"payload\":{\"text\":\"hi\"},\"organizationId\":\"org_dev\"}'");
            System.out.println("  docs: docs/broadcast.md");
            System.out.println();
        }
    }
}
