package io.herald.server.tls;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * Certificates for TLS tests, made with the JDK's own {@code keytool} (no openssl needed) and written
 * as PEM, and clients that trust them: an {@link SSLContext} for HTTP clients and a raw probe that
 * reports which certificate a new connection is served.
 */
final class TestCertificates {
    private static final char[] PASSWORD = "changeit".toCharArray();

    /** A certificate and its key as PEM files, and the certificate as parsed. */
    record Pem(Path cert, Path key, X509Certificate certificate, PrivateKey privateKey) {
    }

    private TestCertificates() {
    }

    /** A self-signed RSA certificate for 127.0.0.1 and localhost, valid from now for a year. */
    static Pem rsa(Path dir, String name) {
        return generate(dir, name, "RSA", null, 365);
    }

    /**
     * A self-signed certificate for 127.0.0.1 and localhost with CN={@code name}, in {@code name}.crt.pem
     * and {@code name}.key.pem (PKCS#8). {@code startDate} is keytool's ({@code -10d}: ten days ago), null for now.
     */
    static Pem generate(Path dir, String name, String keyAlgorithm, String startDate, int validityDays) {
        Path store = dir.resolve(name + ".p12");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "herald", "-keyalg", keyAlgorithm, "-dname", "CN=" + name,
                "-validity", Integer.toString(validityDays), "-ext", "san=ip:127.0.0.1,dns:localhost",
                "-keystore", store.toString(), "-storetype", "PKCS12",
                "-storepass", new String(PASSWORD), "-keypass", new String(PASSWORD), "-noprompt"));
        command.addAll(keyAlgorithm.equals("EC") ? List.of("-groupname", "secp256r1") : List.of("-keysize", "2048"));
        if (startDate != null) {
            command.addAll(List.of("-startdate", startDate));
        }
        run(command);
        try (InputStream in = Files.newInputStream(store)) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, PASSWORD);
            X509Certificate cert = (X509Certificate) ks.getCertificate("herald");
            PrivateKey key = (PrivateKey) ks.getKey("herald", PASSWORD);
            Path certFile = dir.resolve(name + ".crt.pem");
            Path keyFile = dir.resolve(name + ".key.pem");
            Files.writeString(certFile, pem("CERTIFICATE", cert.getEncoded()));
            Files.writeString(keyFile, pem("PRIVATE KEY", key.getEncoded()));
            return new Pem(certFile, keyFile, cert, key);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A certificate CN={@code name} issued by a new CA CN={@code name}-ca, its key, and the CA's certificate
     * in {@code name}.ca.pem: a chain as a public CA hands it out.
     */
    static Pem issued(Path dir, String name) {
        Pem ca = generate(dir, name + "-ca", "RSA", null, 365);
        Pem leaf = generate(dir, name, "RSA", null, 365);
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Path request = dir.resolve(name + ".csr");
        run(List.of(keytool, "-certreq", "-alias", "herald", "-keystore", dir.resolve(name + ".p12").toString(),
                "-storepass", new String(PASSWORD), "-file", request.toString()));
        run(List.of(keytool, "-gencert", "-alias", "herald", "-keystore", dir.resolve(name + "-ca.p12").toString(),
                "-storepass", new String(PASSWORD), "-infile", request.toString(), "-outfile", leaf.cert().toString(),
                "-rfc", "-validity", "365", "-ext", "san=ip:127.0.0.1,dns:localhost"));
        try {
            Files.move(ca.cert(), dir.resolve(name + ".ca.pem"));
            X509Certificate issued = (X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
                    .generateCertificate(new java.io.ByteArrayInputStream(Files.readAllBytes(leaf.cert())));
            return new Pem(leaf.cert(), leaf.key(), issued, leaf.privateKey());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void run(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("keytool failed: " + out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    /**
     * The PKCS#1 {@code RSAPrivateKey} inside a PKCS#8 {@code PrivateKeyInfo}: its last element, an OCTET
     * STRING after the version INTEGER and the algorithm SEQUENCE.
     */
    static byte[] pkcs1(byte[] pkcs8) {
        int[] at = {0};
        header(pkcs8, at, 0x30);
        skip(pkcs8, at);
        skip(pkcs8, at);
        int length = header(pkcs8, at, 0x04);
        byte[] out = new byte[length];
        System.arraycopy(pkcs8, at[0], out, 0, length);
        return out;
    }

    /** Reads a DER tag (which must be {@code tag}) and length at {@code at}; returns the length, {@code at} on the content. */
    private static int header(byte[] der, int[] at, int tag) {
        if ((der[at[0]++] & 0xFF) != tag) {
            throw new IllegalArgumentException("unexpected DER tag at " + (at[0] - 1));
        }
        int first = der[at[0]++] & 0xFF;
        if (first < 0x80) {
            return first;
        }
        int length = 0;
        for (int i = 0; i < (first & 0x7F); i++) {
            length = (length << 8) | (der[at[0]++] & 0xFF);
        }
        return length;
    }

    private static void skip(byte[] der, int[] at) {
        int length = header(der, at, der[at[0]] & 0xFF);
        at[0] += length;
    }

    /** Replaces {@code target} with {@code content} in one rename, as cert-manager and certbot do. */
    static void replace(Path target, byte[] content) {
        try {
            Path tmp = Files.createTempFile(target.getParent(), ".swap", ".tmp");
            Files.write(tmp, content);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Installs {@code next}'s files in place of {@code current}'s: the key first, so for a moment they do not match. */
    static void rotate(Pem current, Pem next) {
        try {
            replace(current.key(), Files.readAllBytes(next.key()));
            replace(current.cert(), Files.readAllBytes(next.cert()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A context for TLS clients that trusts exactly {@code certificates}. */
    static SSLContext trusting(X509Certificate... certificates) {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            for (int i = 0; i < certificates.length; i++) {
                trust.setCertificateEntry("c" + i, certificates[i]);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Opens a new TLS connection to {@code port} offering only {@code protocol}, completes the handshake
     * and returns the session's protocol and the certificate served. A fresh context each time, so no
     * session is resumed; it trusts anything, since what it reports is which certificate came.
     */
    static Handshake handshake(int port, String protocol) throws IOException {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new javax.net.ssl.TrustManager[] {new AnyCertificate()}, null);
            try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", port)) {
                s.setSoTimeout(10_000);
                s.setEnabledProtocols(new String[] {protocol});
                s.startHandshake();
                return new Handshake(s.getSession().getProtocol(), (X509Certificate) s.getSession().getPeerCertificates()[0]);
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The certificate a new TLS 1.3 connection to {@code port} is served. */
    static X509Certificate served(int port) {
        try {
            return handshake(port, "TLSv1.3").certificate();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    record Handshake(String protocol, X509Certificate certificate) {
    }

    /** Opens a plain TCP connection to {@code port} (the caller speaks TLS bytes itself). */
    static Socket raw(int port) throws IOException {
        Socket s = new Socket("127.0.0.1", port);
        s.setSoTimeout(10_000);
        return s;
    }

    private static final class AnyCertificate implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
