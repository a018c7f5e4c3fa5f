package io.herald.server.config;

import io.herald.config.ConfigException;
import java.util.List;

/**
 * Every problem {@link ConfigLoader#load} found; its message is the first one, so a caller that prints one line
 * prints what it always printed.
 */
public final class ConfigProblems extends ConfigException {
    private static final long serialVersionUID = 1L;
    private final transient List<ConfigLoader.Problem> problems;

    ConfigProblems(List<ConfigLoader.Problem> problems) {
        super(problems.get(0).path(), problems.get(0).message());
        this.problems = List.copyOf(problems);
    }

    /** All of them, in the order they were found: the file's, then the environment's, then each section's rules. */
    public List<ConfigLoader.Problem> problems() {
        return problems;
    }
}
