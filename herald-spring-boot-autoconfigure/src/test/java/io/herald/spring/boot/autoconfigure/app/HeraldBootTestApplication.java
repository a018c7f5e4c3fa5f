package io.herald.spring.boot.autoconfigure.app;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/** The smallest Boot application: what the starter adds comes from auto-configuration alone. */
@SpringBootApplication
public class HeraldBootTestApplication {
}
