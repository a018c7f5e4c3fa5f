package io.herald.server.transport;

import io.herald.config.AddressRange;
import io.herald.config.ServerConfig;
import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The server's counts of open plain HTTP connections ({@code server.maxHttpConnections}) and of open
 * connections per client address ({@code server.maxConnectionsPerAddress}), and the rule that says
 * which address a connection is counted under. One per server, shared by every event loop: thread-safe.
 *
 * <p>The per-address map holds an entry only while its address has an open connection (removed at
 * zero), so it never holds more entries than the server has connections.
 */
public final class ConnectionCounts {
    private final int maxHttp;
    private final int maxPerAddress;
    private final List<AddressRange> trustedProxies;
    private final AtomicInteger http = new AtomicInteger();
    private final ConcurrentHashMap<InetAddress, Integer> perAddress = new ConcurrentHashMap<>();

    public ConnectionCounts(ServerConfig config) {
        this.maxHttp = config.maxHttpConnections();
        this.maxPerAddress = config.maxConnectionsPerAddress();
        this.trustedProxies = config.trustedProxyRanges();
    }

    /** Counts a new plain HTTP connection; false (and not counted) when the server already has its maximum. */
    boolean openHttp() {
        if (http.incrementAndGet() > maxHttp) {
            http.decrementAndGet();
            return false;
        }
        return true;
    }

    /** Uncounts a plain HTTP connection that closed or upgraded. */
    void closeHttp() {
        http.decrementAndGet();
    }

    /** Plain HTTP connections open now. */
    public int httpConnections() {
        return http.get();
    }

    /** Whether connections are counted per address at all ({@code server.maxConnectionsPerAddress} above 0). */
    boolean perAddressLimited() {
        return maxPerAddress > 0;
    }

    /** Whether {@code address} is one of {@code server.trustedProxies}. */
    boolean trusted(InetAddress address) {
        for (AddressRange range : trustedProxies) {
            if (range.contains(address)) {
                return true;
            }
        }
        return false;
    }

    /** Counts a connection of {@code address}; false (and not counted) when it already has its maximum. */
    boolean acquire(InetAddress address) {
        boolean[] admitted = {false};
        perAddress.compute(address, (a, n) -> {
            int count = n == null ? 0 : n;
            if (count >= maxPerAddress) {
                return n;
            }
            admitted[0] = true;
            return count + 1;
        });
        return admitted[0];
    }

    /** Uncounts a connection of {@code address} counted by {@link #acquire}. */
    void release(InetAddress address) {
        perAddress.computeIfPresent(address, (a, n) -> n <= 1 ? null : n - 1);
    }

    /** Addresses with an open counted connection (the size of the per-address map). */
    int addresses() {
        return perAddress.size();
    }

    /**
     * The client a trusted proxy's request is from: the right-most {@code X-Forwarded-For} entry that is
     * not itself a trusted proxy. Entries left of it were written by the client and prove nothing. When
     * every entry is trusted, the left-most one; when there is none, or an entry is not an address, the
     * last trusted hop before it (at worst {@code peer}, the proxy itself).
     *
     * @param forwardedFor the header's values in the order received (one header may list several, comma-separated)
     */
    InetAddress clientOf(InetAddress peer, List<String> forwardedFor) {
        InetAddress client = peer;
        for (int h = forwardedFor.size() - 1; h >= 0; h--) {
            String[] hops = forwardedFor.get(h).split(",");
            for (int i = hops.length - 1; i >= 0; i--) {
                var hop = AddressRange.literal(hops[i]);
                if (hop.isEmpty()) {
                    return client;
                }
                if (!trusted(hop.get())) {
                    return hop.get();
                }
                client = hop.get();
            }
        }
        return client;
    }
}
