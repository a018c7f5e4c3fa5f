package io.herald.config;

import java.util.List;

/**
 * The edge: where to listen, the server credential, CORS/Origin allow-list and per-connection limits.
 * {@code accessToken} is a secret: it comes from the environment ({@code ACCESS_TOKEN}) or a file.
 */
public record ServerConfig(
        @Doc("Address to listen on; 0.0.0.0 is every IPv4 interface.") String host,
        @Doc("Port for HTTP, WebSocket and SSE (HTTPS and WSS with tls); 0 picks a free one.") Integer port,
        @Doc("The server credential, at least 32 characters: publish and admin APIs; tickets are signed with a key derived from it.")
        String accessToken,
        @Doc(value = "Origins allowed CORS requests (https://app.example.com, or *); a session cookie only from one listed exactly.",
                example = "[https://app.example.com]")
        List<String> allowedOrigins,
        @Doc("Largest HTTP request body, in bytes; a larger one gets 413.") Long maxBodyBytes,
        @Doc("Outbound bytes queued per socket, in bytes, before the socket is closed with 1013.") Integer maxPendingBytes,
        @Doc("Largest WebSocket frame or message a client may send, in bytes.") Integer maxFrameBytes,
        @Doc("How often each WebSocket is pinged, in ms.") Long pingIntervalMs,
        @Doc("WebSocket connections open at once; past it upgrades are refused.") Integer maxConnections,
        @Doc(value = "Socket transport: auto takes epoll where its native library loads, else nio; io_uring only when named.",
                values = "TRANSPORTS")
        String transport,
        @Doc("How long a socket's frames may wait to share one write with later ones, in microseconds (0: written at once).")
        Long flushDelayMicros,
        @Doc("Plain HTTP connections (not upgraded; SSE streams count) open at once; more are closed at accept.")
        Integer maxHttpConnections,
        @Doc("Connections of any kind from one client address; 0: no cap (behind a proxy every client shares its address).")
        Integer maxConnectionsPerAddress,
        @Doc(value = "IP addresses or CIDR blocks of the proxies whose X-Forwarded-For names the client address.",
                example = "[10.0.0.0/8, \"fd00::/8\"]")
        List<String> trustedProxies,
        @Doc("Time a client has to send a request line and its headers, in ms; then 408.") Long requestHeadTimeoutMs,
        @Doc("Time a keep-alive HTTP connection may sit with no request in progress, in ms.") Long idleTimeoutMs,
        @Doc("HTTPS and WSS on the server's port, from PEM files; plain HTTP when absent.") Tls tls,
        @Doc(value = "On SIGTERM, how long /readyz answers 503 while sockets stay open before they close with 1012, in ms.",
                computedDefault = "5000; 0 in dev mode (no load balancer to tell)", example = "15000")
        Long drainDelayMs) {

    public static final String DEFAULT_HOST = "0.0.0.0";
    public static final int DEFAULT_PORT = 8080;
    public static final long DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
    public static final int DEFAULT_MAX_PENDING_BYTES = 1024 * 1024;
    public static final int DEFAULT_MAX_FRAME_BYTES = 64 * 1024;
    public static final long DEFAULT_PING_INTERVAL_MS = 25_000;
    public static final int DEFAULT_MAX_CONNECTIONS = 100_000;
    /** The longest a socket's frames may wait for more to share their write; longer would be latency nobody wants. */
    public static final long MAX_FLUSH_DELAY_MICROS = 100_000;
    /** The socket transports: {@code auto} takes epoll where its native library loads, else NIO; io_uring is asked for by name. */
    public static final List<String> TRANSPORTS = List.of("auto", "nio", "epoll", "io_uring");
    /** Plain HTTP connections (not upgraded, not streaming SSE) open at once; past it new ones are closed at accept. */
    public static final int DEFAULT_MAX_HTTP_CONNECTIONS = 10_000;
    /** How long a client may take to send a request's head (line and headers). */
    public static final long DEFAULT_REQUEST_HEAD_TIMEOUT_MS = 30_000;
    /** How long a plain HTTP connection may sit with no request in progress. */
    public static final long DEFAULT_IDLE_TIMEOUT_MS = 60_000;
    /**
     * How long a stopping server (SIGTERM) keeps serving while {@code /readyz} answers 503, so load balancers
     * take it out of rotation before its sockets close: a few of their health-check intervals.
     */
    public static final long DEFAULT_DRAIN_DELAY_MS = 5_000;
    /** The longest drain delay accepted: past it a process manager kills the server anyway. */
    public static final long MAX_DRAIN_DELAY_MS = 600_000;
    /** The shortest server credential accepted: 32 random characters are beyond guessing. */
    public static final int MIN_ACCESS_TOKEN_CHARS = 32;

    public ServerConfig {
        host = host == null || host.isBlank() ? DEFAULT_HOST : host;
        port = port == null ? DEFAULT_PORT : port;
        allowedOrigins = allowedOrigins == null ? List.of() : List.copyOf(allowedOrigins);
        maxBodyBytes = maxBodyBytes == null ? DEFAULT_MAX_BODY_BYTES : maxBodyBytes;
        maxPendingBytes = maxPendingBytes == null ? DEFAULT_MAX_PENDING_BYTES : maxPendingBytes;
        maxFrameBytes = maxFrameBytes == null ? DEFAULT_MAX_FRAME_BYTES : maxFrameBytes;
        pingIntervalMs = pingIntervalMs == null ? DEFAULT_PING_INTERVAL_MS : pingIntervalMs;
        maxConnections = maxConnections == null ? DEFAULT_MAX_CONNECTIONS : maxConnections;
        transport = transport == null || transport.isBlank() ? "auto" : transport;
        flushDelayMicros = flushDelayMicros == null ? 0L : flushDelayMicros;
        maxHttpConnections = maxHttpConnections == null ? DEFAULT_MAX_HTTP_CONNECTIONS : maxHttpConnections;
        // 0: no per-address cap (behind a proxy every client shares the proxy's address)
        maxConnectionsPerAddress = maxConnectionsPerAddress == null ? 0 : maxConnectionsPerAddress;
        trustedProxies = trustedProxies == null ? List.of() : List.copyOf(trustedProxies);
        requestHeadTimeoutMs = requestHeadTimeoutMs == null ? DEFAULT_REQUEST_HEAD_TIMEOUT_MS : requestHeadTimeoutMs;
        idleTimeoutMs = idleTimeoutMs == null ? DEFAULT_IDLE_TIMEOUT_MS : idleTimeoutMs;
        drainDelayMs = drainDelayMs == null ? DEFAULT_DRAIN_DELAY_MS : drainDelayMs;
        if (accessToken != null && accessToken.length() < MIN_ACCESS_TOKEN_CHARS) {
            throw new ConfigException("server.accessToken", "must be at least " + MIN_ACCESS_TOKEN_CHARS + " characters");
        }
        if (flushDelayMicros < 0 || flushDelayMicros > MAX_FLUSH_DELAY_MICROS) {
            throw new ConfigException("server.flushDelayMicros", "must be 0.." + MAX_FLUSH_DELAY_MICROS + ", was " + flushDelayMicros);
        }
        if (!TRANSPORTS.contains(transport)) {
            throw new ConfigException("server.transport", "must be one of " + TRANSPORTS + ", was '" + transport + "'");
        }
        if (port < 0 || port > 65535) {
            throw new ConfigException("server.port", "must be 0..65535, was " + port);
        }
        positive("server.maxBodyBytes", maxBodyBytes);
        positive("server.maxPendingBytes", maxPendingBytes);
        positive("server.maxFrameBytes", maxFrameBytes);
        positive("server.pingIntervalMs", pingIntervalMs);
        positive("server.maxConnections", maxConnections);
        positive("server.maxHttpConnections", maxHttpConnections);
        positive("server.requestHeadTimeoutMs", requestHeadTimeoutMs);
        positive("server.idleTimeoutMs", idleTimeoutMs);
        if (drainDelayMs < 0 || drainDelayMs > MAX_DRAIN_DELAY_MS) {
            throw new ConfigException("server.drainDelayMs", "must be 0.." + MAX_DRAIN_DELAY_MS + " (0 closes at once), was " + drainDelayMs);
        }
        if (maxConnectionsPerAddress < 0) {
            throw new ConfigException("server.maxConnectionsPerAddress", "must be 0 (off) or positive, was " + maxConnectionsPerAddress);
        }
        for (int i = 0; i < trustedProxies.size(); i++) {
            if (AddressRange.parse(trustedProxies.get(i)).isEmpty()) {
                throw new ConfigException("server.trustedProxies[" + i + "]",
                        "'" + trustedProxies.get(i) + "' is not an IP address or CIDR block like 10.0.0.0/8");
            }
        }
        for (String origin : allowedOrigins) {
            if (!origin.equals("*") && !origin.matches("https?://[^/\\s]+")) {
                throw new ConfigException("server.allowedOrigins", "'" + origin + "' is not an origin like https://app.example.com");
            }
        }
    }

    static void positive(String path, long value) {
        if (value <= 0) {
            throw new ConfigException(path, "must be positive, was " + value);
        }
    }

    public static ServerConfig defaults() {
        return new ServerConfig(null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null);
    }

    /**
     * HTTPS and WSS on the server's port: PEM files, RSA or EC, re-read when they change.
     *
     * @param certFile the certificate, or the certificate followed by its chain (certbot's {@code fullchain.pem})
     * @param keyFile its private key: PKCS#8 ({@code BEGIN PRIVATE KEY}), PKCS#1 RSA or SEC1 EC
     * @param caFile optional PEM chain sent after the certificate
     * @param reloadIntervalMs how often the files are checked for a change (default {@value #DEFAULT_RELOAD_INTERVAL_MS})
     */
    public record Tls(
            @Doc(value = "PEM certificate, optionally followed by its chain (certbot's fullchain.pem).", required = true,
                    example = "/etc/herald/tls/tls.crt")
            String certFile,
            @Doc(value = "PEM private key: PKCS#8, PKCS#1 RSA or SEC1 EC.", required = true, example = "/etc/herald/tls/tls.key")
            String keyFile,
            @Doc(value = "Optional PEM chain of intermediate certificates sent after the certificate.",
                    example = "/etc/herald/tls/chain.crt")
            String caFile,
            @Doc("How often the files are checked for a change, in ms; a renewed certificate is served without a restart.")
            Long reloadIntervalMs) {
        /** Often enough that a renewed certificate is served well before the old one expires, rarely enough to cost nothing. */
        public static final long DEFAULT_RELOAD_INTERVAL_MS = 10_000;

        public Tls {
            if (certFile == null || certFile.isBlank()) {
                throw new ConfigException("server.tls.certFile", "is required when server.tls is set");
            }
            if (keyFile == null || keyFile.isBlank()) {
                throw new ConfigException("server.tls.keyFile", "is required when server.tls is set");
            }
            caFile = caFile == null || caFile.isBlank() ? null : caFile;
            reloadIntervalMs = reloadIntervalMs == null ? DEFAULT_RELOAD_INTERVAL_MS : reloadIntervalMs;
            positive("server.tls.reloadIntervalMs", reloadIntervalMs);
        }

        /** The files, checked for a change every {@value #DEFAULT_RELOAD_INTERVAL_MS} ms. */
        public Tls(String certFile, String keyFile, String caFile) {
            this(certFile, keyFile, caFile, null);
        }
    }

    /** {@code trustedProxies} parsed (each entry was validated when this config was made). */
    public List<AddressRange> trustedProxyRanges() {
        return trustedProxies.stream().map(p -> AddressRange.parse(p).orElseThrow()).toList();
    }

    /** Whether {@code origin} may make CORS requests (exact match, or {@code *} configured). */
    public boolean allowsOrigin(String origin) {
        return origin != null && (allowedOrigins.contains(origin) || allowedOrigins.contains("*"));
    }

    /**
     * Whether a session cookie may be used from {@code origin}: only an origin listed exactly. A wildcard
     * never authorizes a cookie, or any site a signed-in user visits could act as them (cross-site
     * WebSocket hijacking).
     */
    public boolean allowsCookieOrigin(String origin) {
        return origin != null && !origin.equals("*") && allowedOrigins.contains(origin);
    }

    public ServerConfig withPort(int p) {
        return new ServerConfig(host, p, accessToken, allowedOrigins, maxBodyBytes, maxPendingBytes, maxFrameBytes,
                pingIntervalMs, maxConnections, transport, flushDelayMicros, maxHttpConnections, maxConnectionsPerAddress,
                trustedProxies, requestHeadTimeoutMs, idleTimeoutMs, tls, drainDelayMs);
    }

    public ServerConfig withHost(String h) {
        return new ServerConfig(h, port, accessToken, allowedOrigins, maxBodyBytes, maxPendingBytes, maxFrameBytes,
                pingIntervalMs, maxConnections, transport, flushDelayMicros, maxHttpConnections, maxConnectionsPerAddress,
                trustedProxies, requestHeadTimeoutMs, idleTimeoutMs, tls, drainDelayMs);
    }

    public ServerConfig withAccessToken(String t) {
        return new ServerConfig(host, port, t, allowedOrigins, maxBodyBytes, maxPendingBytes, maxFrameBytes,
                pingIntervalMs, maxConnections, transport, flushDelayMicros, maxHttpConnections, maxConnectionsPerAddress,
                trustedProxies, requestHeadTimeoutMs, idleTimeoutMs, tls, drainDelayMs);
    }

    public ServerConfig withAllowedOrigins(List<String> o) {
        return new ServerConfig(host, port, accessToken, o, maxBodyBytes, maxPendingBytes, maxFrameBytes,
                pingIntervalMs, maxConnections, transport, flushDelayMicros, maxHttpConnections, maxConnectionsPerAddress,
                trustedProxies, requestHeadTimeoutMs, idleTimeoutMs, tls, drainDelayMs);
    }

    public ServerConfig withMaxPendingBytes(int b) {
        return new ServerConfig(host, port, accessToken, allowedOrigins, maxBodyBytes, b, maxFrameBytes,
                pingIntervalMs, maxConnections, transport, flushDelayMicros, maxHttpConnections, maxConnectionsPerAddress,
                trustedProxies, requestHeadTimeoutMs, idleTimeoutMs, tls, drainDelayMs);
    }

    public ServerConfig withMaxBodyBytes(long b) {
        return new ServerConfig(host, port, accessToken, allowedOrigins, b, maxPendingBytes, maxFrameBytes,
                pingIntervalMs, maxConnections, transport, flushDelayMicros, maxHttpConnections, maxConnectionsPerAddress,
                trustedProxies, requestHeadTimeoutMs, idleTimeoutMs, tls, drainDelayMs);
    }

    public ServerConfig withPingIntervalMs(long ms) {
        return new ServerConfig(host, port, accessToken, allowedOrigins, maxBodyBytes, maxPendingBytes, maxFrameBytes,
                ms, maxConnections, transport, flushDelayMicros, maxHttpConnections, maxConnectionsPerAddress,
                trustedProxies, requestHeadTimeoutMs, idleTimeoutMs, tls, drainDelayMs);
    }

    @Override
    public String toString() {
        return "ServerConfig[host=" + host + ", port=" + port + ", accessToken=" + (accessToken == null ? "unset" : "***")
                + ", allowedOrigins=" + allowedOrigins + "]";
    }

    public ServerConfig withTransport(String t) {
        return new ServerConfig(host, port, accessToken, allowedOrigins, maxBodyBytes, maxPendingBytes, maxFrameBytes,
                pingIntervalMs, maxConnections, t, flushDelayMicros, maxHttpConnections, maxConnectionsPerAddress,
                trustedProxies, requestHeadTimeoutMs, idleTimeoutMs, tls, drainDelayMs);
    }

    public ServerConfig withFlushDelayMicros(long micros) {
        return new ServerConfig(host, port, accessToken, allowedOrigins, maxBodyBytes, maxPendingBytes, maxFrameBytes,
                pingIntervalMs, maxConnections, transport, micros, maxHttpConnections, maxConnectionsPerAddress,
                trustedProxies, requestHeadTimeoutMs, idleTimeoutMs, tls, drainDelayMs);
    }

    public ServerConfig withConnectionLimits(int maxHttp, int perAddress, List<String> proxies) {
        return new ServerConfig(host, port, accessToken, allowedOrigins, maxBodyBytes, maxPendingBytes, maxFrameBytes,
                pingIntervalMs, maxConnections, transport, flushDelayMicros, maxHttp, perAddress, proxies,
                requestHeadTimeoutMs, idleTimeoutMs, tls, drainDelayMs);
    }

    public ServerConfig withTimeouts(long requestHeadMs, long idleMs) {
        return new ServerConfig(host, port, accessToken, allowedOrigins, maxBodyBytes, maxPendingBytes, maxFrameBytes,
                pingIntervalMs, maxConnections, transport, flushDelayMicros, maxHttpConnections, maxConnectionsPerAddress,
                trustedProxies, requestHeadMs, idleMs, tls, drainDelayMs);
    }

    public ServerConfig withDrainDelayMs(long ms) {
        return new ServerConfig(host, port, accessToken, allowedOrigins, maxBodyBytes, maxPendingBytes, maxFrameBytes,
                pingIntervalMs, maxConnections, transport, flushDelayMicros, maxHttpConnections, maxConnectionsPerAddress,
                trustedProxies, requestHeadTimeoutMs, idleTimeoutMs, tls, ms);
    }

    public ServerConfig withTls(Tls t) {
        return new ServerConfig(host, port, accessToken, allowedOrigins, maxBodyBytes, maxPendingBytes, maxFrameBytes,
                pingIntervalMs, maxConnections, transport, flushDelayMicros, maxHttpConnections, maxConnectionsPerAddress,
                trustedProxies, requestHeadTimeoutMs, idleTimeoutMs, t, drainDelayMs);
    }
}
