package io.herald.server.tls;

import io.herald.config.ConfigException;
import io.herald.config.ServerConfig;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.ServerSSLOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The edge's TLS: the certificate it serves, the options each HTTP server is built with, and a watch
 * that serves a new certificate when its files change (a renewal by cert-manager or certbot) without
 * a restart. The files are polled for their size and modification time on a thread of their own;
 * a changed set is read and checked there, and only a valid one is handed to every server; an invalid
 * one (half written, expired, key and certificate from different renewals) is logged once and the old
 * certificate kept until the files change again. New connections get the new certificate; open ones
 * keep theirs. Thread-safe.
 */
public final class ServerTls implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ServerTls.class);

    private final ServerConfig.Tls config;
    private final Clock clock;
    private final List<HttpServer> servers = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService watch;
    /** Read and written by the watch thread only, after construction. */
    private List<FileStamp> seen;
    private volatile ServedCertificate current;
    /** Changes of the files that were not served (for tests: written by the watch thread only). */
    private volatile int rejectedChanges;

    private ServerTls(ServerConfig.Tls config, Clock clock) {
        this.config = config;
        this.clock = clock;
        // stamped before reading: a file that changes while it is read differs from its stamp at the next poll
        this.seen = stamps();
        this.current = ServedCertificate.load(config, clock.instant());
        this.watch = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "herald-tls-watch");
            t.setDaemon(true);
            return t;
        });
        log.info("TLS: serving {}", current.describe());
    }

    /**
     * Reads and checks the files of {@code config}; throws {@link ConfigException} naming the key and the
     * problem. The watch starts with {@link #watch}, once every server is {@linkplain #serve registered}.
     */
    public static ServerTls load(ServerConfig.Tls config) {
        return load(config, Clock.systemUTC());
    }

    static ServerTls load(ServerConfig.Tls config, Clock clock) {
        return new ServerTls(config, clock);
    }

    /**
     * Makes {@code options} serve the current certificate over TLS 1.2 and 1.3, HTTP/1.1 only. No ALPN,
     * so no HTTP/2: SSE events and broadcast frames are written as HTTP/1.1 bytes straight onto the
     * connection below Vert.x, and WebSocket upgrades are HTTP/1.1; an h2 connection would take neither.
     */
    public HttpServerOptions configure(HttpServerOptions options) {
        ServerSSLOptions ssl = current.sslOptions();
        return options.setSsl(true)
                .setUseAlpn(ssl.isUseAlpn())
                .setKeyCertOptions(ssl.getKeyCertOptions())
                .setEnabledSecureTransportProtocols(ssl.getEnabledSecureTransportProtocols());
    }

    /** Registers a listening server built with {@link #configure}: it gets every later certificate. */
    public void serve(HttpServer server) {
        servers.add(server);
    }

    /** Starts polling the files every {@code server.tls.reloadIntervalMs}. */
    public void watch() {
        long every = config.reloadIntervalMs();
        watch.scheduleWithFixedDelay(this::check, every, every, TimeUnit.MILLISECONDS);
    }

    /** The certificate new connections get. */
    public ServedCertificate current() {
        return current;
    }

    /** How many changes of the files were found unusable and not served. */
    int rejectedChanges() {
        return rejectedChanges;
    }

    /** One poll: if any file changed since the last one, loads the files and serves them if they are valid. */
    private void check() {
        try {
            List<FileStamp> now = stamps();
            if (now.equals(seen)) {
                return;
            }
            seen = now;
            ServedCertificate next;
            try {
                next = ServedCertificate.load(config, clock.instant());
            } catch (ConfigException e) {
                // once per change: the stamps are taken, so the next warning needs another change
                rejectedChanges++;
                log.warn("TLS: the certificate files changed but are not usable, still serving {}: {}",
                        current.describe(), e.getMessage());
                return;
            }
            if (!next.sameAs(current)) {
                apply(next);
            }
        } catch (RuntimeException e) {
            // a scheduled task that throws is never run again
            log.warn("TLS: checking the certificate files failed, still serving {}", current.describe(), e);
        }
    }

    private void apply(ServedCertificate next) {
        ServerSSLOptions ssl = next.sslOptions();
        List<Future<Boolean>> updates = new ArrayList<>();
        for (HttpServer s : servers) {
            // forced: the options differ only in their key and certificate values, which are what changed
            updates.add(s.updateSSLOptions(ssl, true));
        }
        try {
            Future.all(updates).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            current = next;
            log.info("TLS: reloaded, now serving {}", next.describe());
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            log.warn("TLS: the new certificate {} could not be applied, still serving {}: {}", next.describe(),
                    current.describe(), e.getCause() != null ? e.getCause().toString() : e.toString());
        }
    }

    /** Where each file resolves (a symlink swap counts as a change), its size and modification time. */
    private List<FileStamp> stamps() {
        List<FileStamp> stamps = new ArrayList<>();
        stamps.add(FileStamp.of(config.certFile()));
        stamps.add(FileStamp.of(config.keyFile()));
        if (config.caFile() != null) {
            stamps.add(FileStamp.of(config.caFile()));
        }
        return stamps;
    }

    /** Stops the watch; the servers keep their certificate until they close. */
    @Override
    public void close() {
        watch.shutdownNow();
    }

    /** A file as last seen; a missing or unreadable file has a null target. */
    private record FileStamp(String file, Path target, FileTime modified, long size) {
        static FileStamp of(String file) {
            try {
                Path real = Path.of(file).toRealPath();
                BasicFileAttributes a = Files.readAttributes(real, BasicFileAttributes.class);
                return new FileStamp(file, real, a.lastModifiedTime(), a.size());
            } catch (IOException e) {
                return new FileStamp(file, null, null, -1);
            }
        }
    }
}
