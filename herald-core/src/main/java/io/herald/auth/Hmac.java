package io.herald.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** HMAC-SHA256 under one key, with a Mac per thread so signing allocates no provider lookups. Thread-safe. */
final class Hmac {
    private final SecretKeySpec key;
    private final ThreadLocal<Mac> macs;

    Hmac(byte[] keyBytes) {
        this.key = new SecretKeySpec(keyBytes.clone(), "HmacSHA256");
        this.macs = ThreadLocal.withInitial(this::newMac);
    }

    private Mac newMac() {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable", e);
        }
    }

    byte[] sign(byte[] data, int off, int len) {
        Mac mac = macs.get();
        mac.update(data, off, len);
        return mac.doFinal();
    }

    byte[] sign(String ascii) {
        byte[] b = ascii.getBytes(StandardCharsets.US_ASCII);
        return sign(b, 0, b.length);
    }

    /** Derives a sub-key for one purpose, so one secret never signs two kinds of token. */
    static byte[] derive(String secret, String purpose) {
        return new Hmac(secret.getBytes(StandardCharsets.UTF_8)).sign(purpose);
    }

    /** Constant-time equality of two strings' UTF-8 bytes, hashed first so their lengths do not leak. */
    static boolean constantTimeEquals(String a, String b) {
        if (a == null || b == null) {
            return false;
        }
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] ha = sha.digest(a.getBytes(StandardCharsets.UTF_8));
            byte[] hb = sha.digest(b.getBytes(StandardCharsets.UTF_8));
            return MessageDigest.isEqual(ha, hb);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
