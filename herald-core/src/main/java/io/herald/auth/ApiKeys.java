package io.herald.auth;

import io.herald.config.AuthConfig;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Optional;

/**
 * The configured API keys. A presented key is compared against every configured key in constant
 * time (no early exit, no map lookup keyed by the secret), so timing reveals nothing. Thread-safe.
 */
public final class ApiKeys {
    private final List<Entry> entries;

    private record Entry(byte[] digest, Principal principal) {
    }

    public ApiKeys(List<AuthConfig.ApiKey> keys) {
        this.entries = keys.stream()
                .map(k -> new Entry(sha256(k.key()), new Principal(k.userId(), k.orgs(), null, k.name(), java.util.Map.of())))
                .toList();
    }

    /** The principal of {@code presented}, if it is a configured key. */
    public Optional<Principal> find(String presented) {
        byte[] d = sha256(presented);
        Principal found = null;
        for (Entry e : entries) {
            if (MessageDigest.isEqual(d, e.digest()) & found == null) {
                found = e.principal();
            }
        }
        return Optional.ofNullable(found);
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
