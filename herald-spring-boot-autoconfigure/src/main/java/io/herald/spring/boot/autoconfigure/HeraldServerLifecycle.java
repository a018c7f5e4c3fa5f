package io.herald.spring.boot.autoconfigure;

import io.herald.Herald;
import io.herald.server.HeraldServer;
import io.herald.server.config.ConfigLoader;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.SmartLifecycle;

/**
 * Runs a {@link HeraldServer} with the application context: it starts listening on its own port when the context
 * starts (after every bean is created), and drains when the context stops, off the caller's thread, so the other
 * beans of its phase stop meanwhile. Herald stops after the beans of later phases (message listeners that publish
 * to it) and starts before them.
 */
public class HeraldServerLifecycle implements SmartLifecycle, DisposableBean {
    /** Before the default phase: message listener containers that publish to Herald start after it and stop before it. */
    public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 2048;
    private static final Logger log = LoggerFactory.getLogger(HeraldServerLifecycle.class);

    /** Where the server is: its state only changes under this object's lock. */
    public enum State { STOPPED, RUNNING, DRAINING }

    private final ConfigLoader.Loaded config;
    private final Consumer<Herald.Builder> embedder;
    private final Supplier<MeterRegistry> meterRegistry;
    private volatile HeraldServer server;
    private volatile State state = State.STOPPED;
    /** The application registry Herald's meters were added to, to take them out again on stop. */
    private MeterRegistry boundRegistry;

    /**
     * @param config        what the loader made of the {@code herald.*} properties
     * @param embedder      completes the engine in code (the {@link HeraldBuilderCustomizer} beans)
     * @param meterRegistry the application's registry, read at start; null from it for none
     */
    public HeraldServerLifecycle(ConfigLoader.Loaded config, Consumer<Herald.Builder> embedder, Supplier<MeterRegistry> meterRegistry) {
        this.config = config;
        this.embedder = embedder;
        this.meterRegistry = meterRegistry;
    }

    @Override
    public synchronized void start() {
        if (state != State.STOPPED) {
            return;
        }
        MeterRegistry registry = meterRegistry.get();
        HeraldServer s = HeraldServer.start(config, embedder, registry);
        boundRegistry = registry;
        server = s;
        state = State.RUNNING;
        log.info("Herald listening on port {} ({}){}", s.port(), s.transport(), registry == null ? "" : "; meters also in the application's registry");
    }

    @Override
    public void stop() {
        HeraldServer s = beginStop();
        if (s != null) {
            close(s);
        }
    }

    /** Drains on a thread of its own and tells {@code callback} when the server is closed. */
    @Override
    public void stop(Runnable callback) {
        HeraldServer s = beginStop();
        if (s == null) {
            callback.run();
            return;
        }
        Thread t = new Thread(() -> {
            try {
                close(s);
            } finally {
                callback.run();
            }
        }, "herald-stop");
        t.start();
    }

    private synchronized HeraldServer beginStop() {
        if (state != State.RUNNING) {
            return null;
        }
        state = State.DRAINING;
        log.info("Herald draining: sockets are closed with 1012");
        return server;
    }

    private void close(HeraldServer s) {
        try {
            s.close();
        } catch (RuntimeException e) {
            log.warn("Herald did not close cleanly", e);
        } finally {
            synchronized (this) {
                unbindMeters(s);
                server = null;
                state = State.STOPPED;
            }
            log.info("Herald stopped");
        }
    }

    /** Takes Herald's meters out of the application's registry, so a restart binds fresh ones. */
    private void unbindMeters(HeraldServer s) {
        if (boundRegistry == null) {
            return;
        }
        for (Meter m : s.herald().meters().registry().getMeters()) {
            boundRegistry.removeByPreFilterId(m.getId());
        }
        boundRegistry = null;
    }

    /** Closes a server still running when the context is destroyed without being stopped (a failed refresh). */
    @Override
    public void destroy() {
        stop();
    }

    @Override
    public boolean isRunning() {
        return state != State.STOPPED;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }

    public State state() {
        return state;
    }

    /**
     * The running server.
     *
     * @throws IllegalStateException before the context has started it, or after it stopped
     */
    public HeraldServer server() {
        HeraldServer s = server;
        if (s == null) {
            throw new IllegalStateException("Herald is not running: it starts with the application context and stops with it");
        }
        return s;
    }

    /** The running server, or null. */
    HeraldServer serverOrNull() {
        return server;
    }
}
