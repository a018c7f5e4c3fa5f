package io.herald.spring.boot.autoconfigure;

import io.herald.config.ConfigException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Reports a Herald configuration error at start-up as Spring Boot reports its own: the key, the problem, the fix. */
class HeraldConfigFailureAnalyzer extends AbstractFailureAnalyzer<ConfigException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, ConfigException cause) {
        return new FailureAnalysis("Herald configuration error: " + HeraldPropertyTree.PREFIX + "." + cause.getMessage(),
                "Correct the key under herald.* in the application's properties (herald.* takes the keys of herald.yaml: see"
                        + " docs/spring-boot.md), or the HERALD_* environment variable that sets it.", cause);
    }
}
