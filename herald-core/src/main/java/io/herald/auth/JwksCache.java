package io.herald.auth;

import com.nimbusds.jose.jwk.JWKSet;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An identity provider's JSON Web Key Set, held in memory and fetched on its own daemon thread: at
 * {@link #start()}, every {@code refreshInterval}, and when a token names a key it does not hold (at most once
 * per {@code minKidRefreshInterval}). Reading the keys never blocks, so verification can run on an event loop.
 * Only public keys are kept. When a fetch fails the keys already held stay in use; a failure is logged at WARN
 * at most once a minute. Thread-safe; {@link #close()} stops the thread.
 */
public final class JwksCache implements AutoCloseable {
    public static final Duration DEFAULT_REFRESH_INTERVAL = Duration.ofMinutes(5);
    /** An unknown {@code kid} is the usual sign of a key rotation, but anyone can send one: refresh at most this often. */
    public static final Duration DEFAULT_MIN_KID_REFRESH_INTERVAL = Duration.ofSeconds(30);
    private static final Duration FETCH_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration WARN_INTERVAL = Duration.ofMinutes(1);
    private static final int MAX_BODY_CHARS = 512 * 1024;
    private static final Logger log = LoggerFactory.getLogger(JwksCache.class);

    private final URI url;
    private final Duration refreshInterval;
    private final Duration minKidRefreshInterval;
    private final Clock clock;
    private final HttpClient http;
    private final ScheduledExecutorService worker;
    private final AtomicBoolean fetchQueued = new AtomicBoolean();
    private final AtomicLong fetches = new AtomicLong();
    private final AtomicLong unknownKeyRefreshes = new AtomicLong();
    private volatile JWKSet keys;
    private volatile Instant lastKidRefresh = Instant.MIN;
    private volatile Instant lastWarning = Instant.MIN;

    /** A cache of the set at {@code url} with the default intervals. */
    public JwksCache(URI url, Clock clock) {
        this(url, DEFAULT_REFRESH_INTERVAL, DEFAULT_MIN_KID_REFRESH_INTERVAL, clock);
    }

    /**
     * @param minKidRefreshInterval the least time between two refreshes asked for by unknown key ids, measured on {@code clock}
     */
    public JwksCache(URI url, Duration refreshInterval, Duration minKidRefreshInterval, Clock clock) {
        this.url = url;
        this.refreshInterval = refreshInterval;
        this.minKidRefreshInterval = minKidRefreshInterval;
        this.clock = clock;
        this.http = HttpClient.newBuilder().connectTimeout(FETCH_TIMEOUT).followRedirects(HttpClient.Redirect.NORMAL).build();
        this.worker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "herald-jwks");
            t.setDaemon(true);
            return t;
        });
    }

    /** Fetches the set now and then every refresh interval, on the cache's thread; returns at once. */
    public void start() {
        fetchQueued.set(true);
        worker.scheduleWithFixedDelay(this::fetch, 0, refreshInterval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The keys of the last successful fetch; empty until one has succeeded. Never blocks. */
    public Optional<JWKSet> keys() {
        return Optional.ofNullable(keys);
    }

    /**
     * Asks for a fetch because a token named a key that is not held, unless one is already queued or the last
     * such request was less than the minimum interval ago. Returns at once.
     */
    public void refreshForUnknownKey() {
        Instant now = clock.instant();
        if (now.isBefore(lastKidRefresh.plus(minKidRefreshInterval)) || !fetchQueued.compareAndSet(false, true)) {
            return;
        }
        lastKidRefresh = now;
        unknownKeyRefreshes.incrementAndGet();
        try {
            worker.execute(this::fetch);
        } catch (RejectedExecutionException closed) {
            fetchQueued.set(false);
        }
    }

    /** How many fetches have completed, successful or not. */
    public long fetches() {
        return fetches.get();
    }

    /** How many fetches unknown keys have asked for and the rate limit let through. */
    long unknownKeyRefreshes() {
        return unknownKeyRefreshes.get();
    }

    private void fetch() {
        fetchQueued.set(false);
        try {
            HttpRequest request = HttpRequest.newBuilder(url).timeout(FETCH_TIMEOUT)
                    .header("Accept", "application/json").GET().build();
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IOException("HTTP " + response.statusCode());
            }
            if (response.body().length() > MAX_BODY_CHARS) {
                throw new IOException("the key set is over " + MAX_BODY_CHARS + " characters");
            }
            // toPublicJWKSet drops private parts and symmetric keys: a published set must never supply an HMAC key
            JWKSet set = JWKSet.parse(response.body()).toPublicJWKSet();
            keys = set;
        } catch (IOException | ParseException e) {
            warn(e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            warn(e.toString());
        } finally {
            fetches.incrementAndGet();
        }
    }

    private void warn(String reason) {
        Instant now = clock.instant();
        if (now.isBefore(lastWarning.plus(WARN_INTERVAL))) {
            return;
        }
        lastWarning = now;
        // the URL without its query: a provider may put a credential there
        log.warn("cannot fetch the JWKS from {}://{}{} ({}){}", url.getScheme(), url.getAuthority(), url.getPath(),
                reason == null ? "no detail" : reason, keys == null ? "; tokens signed by the identity provider are refused" : "; the keys already held stay in use");
    }

    @Override
    public void close() {
        worker.shutdownNow();
    }
}
