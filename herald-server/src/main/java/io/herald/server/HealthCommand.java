package io.herald.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URL;
import java.security.GeneralSecurityException;
import java.util.Map;
import java.util.concurrent.Callable;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code herald health [--url URL]}: asks a running server's {@code /healthz} and exits 0 on a 200, 1 otherwise,
 * printing one line either way. For container health checks, where the image has no shell and no curl
 * (docs/deploy.md). Without {@code --url} it asks this machine's server on {@code HERALD_SERVER_PORT} (8080 when
 * unset), over HTTPS when {@code HERALD_SERVER_TLS_CERT_FILE} is set: the environment the server in the same
 * container was started with.
 */
@Command(name = "health", mixinStandardHelpOptions = true,
        description = "Check a running server's /healthz: exit 0 on 200, 1 otherwise (one line either way).")
public final class HealthCommand implements Callable<Integer> {
    /** Exit code of a healthy answer. */
    public static final int HEALTHY = 0;
    /** Exit code of anything else: another status, no answer, a timeout. */
    public static final int UNHEALTHY = 1;

    private final Map<String, String> env;

    @Option(names = "--url", paramLabel = "URL",
            description = "What to ask (default: http://127.0.0.1:$HERALD_SERVER_PORT/healthz, https when HERALD_SERVER_TLS_CERT_FILE is set)")
    String url;

    @Option(names = "--timeout-ms", paramLabel = "MS", defaultValue = "3000",
            description = "Connect and read timeout in milliseconds (default: ${DEFAULT-VALUE})")
    int timeoutMs;

    @Option(names = "--insecure",
            description = "Do not check the server's certificate (implied for the default URL: it is this machine's own server)")
    boolean insecure;

    @Spec
    CommandSpec spec;

    public HealthCommand() {
        this(System.getenv());
    }

    /** A command reading {@code env} instead of the process environment (tests). */
    HealthCommand(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    /** The URL asked when none is given: the server this environment configures, on loopback. */
    String defaultUrl() {
        String port = env.getOrDefault("HERALD_SERVER_PORT", "").isBlank() ? "8080" : env.get("HERALD_SERVER_PORT").trim();
        String scheme = env.getOrDefault("HERALD_SERVER_TLS_CERT_FILE", "").isBlank() ? "http" : "https";
        return scheme + "://127.0.0.1:" + port + "/healthz";
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        String target = url != null ? url : defaultUrl();
        int code;
        String line;
        try {
            code = status(target, insecure || url == null);
            line = (code == 200 ? "healthy: " : "unhealthy: ") + code + " from " + target;
        } catch (IllegalArgumentException | IOException | GeneralSecurityException e) {
            code = -1;
            line = "unhealthy: " + target + ": " + describe(e);
        }
        out.println(line);
        out.flush();
        return code == 200 ? HEALTHY : UNHEALTHY;
    }

    private int status(String target, boolean trustAny) throws IOException, GeneralSecurityException {
        URL u = URI.create(target).toURL();
        if (!u.getProtocol().equals("http") && !u.getProtocol().equals("https")) {
            throw new IllegalArgumentException("not an http or https URL");
        }
        HttpURLConnection c = (HttpURLConnection) u.openConnection();
        try {
            if (trustAny && c instanceof HttpsURLConnection https) {
                SSLContext ssl = SSLContext.getInstance("TLS");
                // --insecure: any certificate (Netty's trust-all manager); only this probe's one connection uses it
                ssl.init(null, io.netty.handler.ssl.util.InsecureTrustManagerFactory.INSTANCE.getTrustManagers(), null);
                https.setSSLSocketFactory(ssl.getSocketFactory());
                https.setHostnameVerifier((host, session) -> true);
            }
            c.setConnectTimeout(timeoutMs);
            c.setReadTimeout(timeoutMs);
            c.setInstanceFollowRedirects(false);
            c.setUseCaches(false);
            int code = c.getResponseCode();
            // read the body so the exchange completes; its content does not matter
            try (InputStream body = code >= 400 ? c.getErrorStream() : c.getInputStream()) {
                if (body != null) {
                    body.readAllBytes();
                }
            }
            return code;
        } finally {
            c.disconnect();
        }
    }

    private static String describe(Exception e) {
        String name = e.getClass().getSimpleName();
        return e.getMessage() == null || e.getMessage().isBlank() ? name : name + " " + e.getMessage();
    }
}
