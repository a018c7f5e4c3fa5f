package io.herald.server.tls;

import io.herald.config.ConfigException;
import io.herald.config.ServerConfig;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.ServerSSLOptions;
import io.vertx.core.net.impl.KeyStoreHelper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Set;

/**
 * A certificate, its chain and its private key, read from the PEM files of {@code server.tls} and
 * checked: every certificate parses and is valid now, and the key parses and belongs to the first
 * certificate. Holds the bytes it checked, so the server is given exactly those even if the files
 * change meanwhile. Immutable; loading reads files (call it off the event loops).
 */
public final class ServedCertificate {
    /** TLS 1.0 and 1.1 are deprecated (RFC 8996); set explicitly so no JVM security setting can widen it. */
    static final Set<String> PROTOCOLS = Set.of("TLSv1.2", "TLSv1.3");

    private final byte[] certificates;
    private final byte[] key;
    private final X509Certificate leaf;

    private ServedCertificate(byte[] certificates, byte[] key, X509Certificate leaf) {
        this.certificates = certificates;
        this.key = key;
        this.leaf = leaf;
    }

    /**
     * Reads and checks the files of {@code tls} as of {@code now}; throws {@link ConfigException} naming
     * the key of the first file that is missing, unreadable, not PEM, expired or not yet valid, or whose
     * key does not match.
     */
    public static ServedCertificate load(ServerConfig.Tls tls, Instant now) {
        byte[] cert = read("server.tls.certFile", tls.certFile());
        byte[] key = read("server.tls.keyFile", tls.keyFile());
        List<X509Certificate> chain = new ArrayList<>(certificates("server.tls.certFile", tls.certFile(), cert, now));
        int inCertFile = chain.size();
        byte[] all = cert;
        if (tls.caFile() != null) {
            byte[] ca = read("server.tls.caFile", tls.caFile());
            chain.addAll(certificates("server.tls.caFile", tls.caFile(), ca, now));
            // PEM blocks may follow one another directly; the newline keeps the last line of the first file its own
            all = concat(cert, "\n".getBytes(StandardCharsets.US_ASCII), ca);
        }
        for (int i = 1; i < chain.size(); i++) {
            // the key store Vert.x builds refuses a chain out of order; say where, before it does
            if (!chain.get(i - 1).getIssuerX500Principal().equals(chain.get(i).getSubjectX500Principal())) {
                boolean inCa = i >= inCertFile;
                throw new ConfigException(inCa ? "server.tls.caFile" : "server.tls.certFile", (inCa ? tls.caFile() : tls.certFile())
                        + ": " + subject(chain.get(i)) + " is not the issuer of " + subject(chain.get(i - 1))
                        + " (the chain runs from the certificate to its issuers, in order)");
            }
        }
        PrivateKey privateKey = privateKey(tls, key, all);
        if (!belongs(privateKey, chain.get(0).getPublicKey())) {
            throw new ConfigException("server.tls.keyFile", tls.keyFile() + ": the key does not match the certificate in "
                    + tls.certFile() + " (" + subject(chain.get(0)) + ")");
        }
        return new ServedCertificate(all, key, chain.get(0));
    }

    private static byte[] read(String key, String file) {
        try {
            return Files.readAllBytes(Path.of(file));
        } catch (NoSuchFileException e) {
            throw new ConfigException(key, file + ": no such file");
        } catch (AccessDeniedException e) {
            throw new ConfigException(key, file + ": not readable (permission denied)");
        } catch (IOException e) {
            throw new ConfigException(key, file + ": cannot read: " + e.getMessage());
        }
    }

    /** The certificates of a PEM file, each valid at {@code now}; at least one. */
    private static List<X509Certificate> certificates(String key, String file, byte[] pem, Instant now) {
        if (!new String(pem, StandardCharsets.ISO_8859_1).contains("-----BEGIN CERTIFICATE-----")) {
            // the JDK would read DER too, but Vert.x reads PEM only
            throw new ConfigException(key, file + ": holds no -----BEGIN CERTIFICATE----- block");
        }
        List<X509Certificate> certs = new ArrayList<>();
        try {
            for (var c : CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(pem))) {
                certs.add((X509Certificate) c);
            }
        } catch (CertificateException e) {
            throw new ConfigException(key, file + ": not a PEM certificate (" + firstLine(e) + ")");
        }
        for (X509Certificate c : certs) {
            try {
                c.checkValidity(Date.from(now));
            } catch (CertificateExpiredException e) {
                throw new ConfigException(key, file + ": the certificate " + c.getSubjectX500Principal().getName()
                        + " expired on " + c.getNotAfter().toInstant() + " (notAfter)");
            } catch (CertificateNotYetValidException e) {
                throw new ConfigException(key, file + ": the certificate " + c.getSubjectX500Principal().getName()
                        + " is not valid before " + c.getNotBefore().toInstant() + " (notBefore)");
            }
        }
        return certs;
    }

    /**
     * The key, parsed by the very code Vert.x's {@link PemKeyCertOptions} uses, so what passes here is what
     * the server accepts: PKCS#8, PKCS#1 RSA and SEC1 EC blocks alike.
     */
    private static PrivateKey privateKey(ServerConfig.Tls tls, byte[] key, byte[] certificates) {
        try {
            KeyStore store = KeyStoreHelper.loadKeyCert(List.of(Buffer.buffer(key)), List.of(Buffer.buffer(certificates)));
            String alias = store.aliases().nextElement();
            return (PrivateKey) store.getKey(alias, KeyStoreHelper.DUMMY_PASSWORD.toCharArray());
        } catch (Exception e) {
            // not PEM, not a key, or a key of another algorithm than the certificate's (the JDK's message says which)
            throw new ConfigException("server.tls.keyFile", tls.keyFile() + ": not usable as the certificate's key ("
                    + firstLine(e) + ")");
        }
    }

    /** Whether {@code key} is the private half of {@code publicKey}: a signature it makes verifies with the public one. */
    private static boolean belongs(PrivateKey key, PublicKey publicKey) {
        if (!key.getAlgorithm().equals(publicKey.getAlgorithm())) {
            return false;
        }
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            // Vert.x reads RSA and EC keys only; anything else failed to parse above
            default -> throw new IllegalStateException("unexpected key algorithm " + key.getAlgorithm());
        };
        try {
            byte[] challenge = new byte[32];
            new SecureRandom().nextBytes(challenge);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(challenge);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            // an EC key on another curve than the certificate's fails here rather than verifying false
            return false;
        }
    }

    private static String subject(X509Certificate c) {
        return c.getSubjectX500Principal().getName();
    }

    private static String firstLine(Exception e) {
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m.lines().findFirst().orElse(m);
    }

    private static byte[] concat(byte[]... parts) {
        byte[] out = new byte[Arrays.stream(parts).mapToInt(p -> p.length).sum()];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    /** The served (first) certificate. */
    public X509Certificate certificate() {
        return leaf;
    }

    /** Subject, serial and notAfter of the served certificate, for logs (no key material). */
    public String describe() {
        return leaf.getSubjectX500Principal().getName() + " (serial " + leaf.getSerialNumber().toString(16)
                + ", notAfter " + leaf.getNotAfter().toInstant() + ")";
    }

    /** Whether {@code other} holds the same bytes: the files were touched, not changed. */
    boolean sameAs(ServedCertificate other) {
        return Arrays.equals(certificates, other.certificates) && Arrays.equals(key, other.key);
    }

    /** The key and certificates as Vert.x takes them, from the checked bytes rather than the paths. */
    PemKeyCertOptions keyCertOptions() {
        return new PemKeyCertOptions().setCertValue(Buffer.buffer(certificates)).setKeyValue(Buffer.buffer(key));
    }

    /** The whole SSL options of a server serving this certificate: {@code updateSSLOptions} replaces them all. */
    ServerSSLOptions sslOptions() {
        return new ServerSSLOptions()
                .setKeyCertOptions(keyCertOptions())
                .setEnabledSecureTransportProtocols(PROTOCOLS)
                .setUseAlpn(false);
    }
}
