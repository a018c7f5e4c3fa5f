package io.herald.server;

import io.herald.config.ConfigException;
import io.herald.server.config.ConfigLoader;
import io.herald.server.config.DevSecrets;
import io.herald.server.tls.ServerTls;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code herald check-config}: loads the configuration exactly as {@code herald serve} would (the same file, the same
 * environment rules) and prints every problem found, one line each with its key's path, or {@code ok}. Nothing is
 * started, connected to or written.
 */
@Command(name = "check-config", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Check a configuration as `herald serve` would load it (the file and the HERALD_*",
            "variables) without starting anything. Prints each problem with its key's path",
            "(exit 1), or ok (exit 0).",
            "Checked: YAML syntax, unknown keys, value types, $${VAR} references, the rules",
            "of each section (the first one broken per section), TLS files.",
            "Not checked: databases, Redis, room classes and plugins (`herald serve` does)."})
final class CheckConfigCommand implements Callable<Integer> {
    @Option(names = "--config", paramLabel = "FILE", description = "YAML configuration file (default: $HERALD_CONFIG; none: the embedded defaults).")
    Path config;

    @Option(names = "--port", paramLabel = "N", description = "Check with this port, as `herald serve --port N` would.")
    Integer port;

    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        // the dev secrets file is read, never written: a check leaves no file behind
        ConfigLoader loader = new ConfigLoader(main.env()).devSecrets(DevSecrets.readFrom(main.devSecretsFile()));
        ConfigLoader.Checked checked = loader.check(main.configFile(config), port);
        checked.warnings().forEach(w -> err.println("herald: warning: " + w));
        err.flush();
        List<ConfigLoader.Problem> problems = checked.problems();
        if (problems.isEmpty()) {
            problems = tls(loader);
        }
        if (problems.isEmpty()) {
            out.println("ok");
            out.flush();
            return 0;
        }
        problems.forEach(out::println);
        out.flush();
        return 1;
    }

    /** The certificate files, read and checked as at start (without watching them). */
    private List<ConfigLoader.Problem> tls(ConfigLoader loader) {
        var tls = loader.load(main.configFile(config), port).config().server().tls();
        if (tls == null) {
            return List.of();
        }
        try (ServerTls loaded = ServerTls.load(tls)) {
            return List.of();
        } catch (ConfigException e) {
            int colon = e.getMessage().indexOf(": ");
            return List.of(colon < 0 ? new ConfigLoader.Problem("server.tls", e.getMessage())
                    : new ConfigLoader.Problem(e.getMessage().substring(0, colon), e.getMessage().substring(colon + 2)));
        } catch (RuntimeException e) {
            return List.of(new ConfigLoader.Problem("server.tls", StartFailure.message(e)));
        }
    }
}
