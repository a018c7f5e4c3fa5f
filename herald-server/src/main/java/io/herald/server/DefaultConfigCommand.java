package io.herald.server;

import io.herald.HeraldVersion;
import io.herald.server.config.ConfigKeys;
import io.herald.server.config.DefaultConfig;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code herald default-config}: prints a {@code herald.yaml} with every key at its default, each described in a
 * comment, to standard output ({@code herald default-config > herald.yaml}). It reads neither a file nor the
 * environment, and the file it prints loads exactly as an empty one does.
 */
@Command(name = "default-config", mixinStandardHelpOptions = true,
        description = "Print a herald.yaml with every key at its default, described in comments.")
public final class DefaultConfigCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().getOut().print(DefaultConfig.render(ConfigKeys.root(), HeraldVersion.get()));
        spec.commandLine().getOut().flush();
        return 0;
    }
}
