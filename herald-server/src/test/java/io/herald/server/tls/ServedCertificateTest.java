package io.herald.server.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.config.ConfigException;
import io.herald.config.ServerConfig;
import io.herald.server.tls.TestCertificates.Pem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Start-up checks of the PEM files: what is refused, with which message, and which key formats are read. */
class ServedCertificateTest {
    @TempDir
    static Path dir;
    private static Pem rsa;
    private static Pem other;

    @BeforeAll
    static void certificates() {
        rsa = TestCertificates.rsa(dir, "rsa");
        other = TestCertificates.rsa(dir, "other");
    }

    private static ServedCertificate load(Path cert, Path key) {
        return ServedCertificate.load(new ServerConfig.Tls(cert.toString(), key.toString(), null), Instant.now());
    }

    @Test
    void aValidPairLoadsAndDescribesItsSubjectSerialAndNotAfter() {
        ServedCertificate c = load(rsa.cert(), rsa.key());

        assertThat(c.certificate()).isEqualTo(rsa.certificate());
        assertThat(c.describe()).contains("CN=rsa", rsa.certificate().getSerialNumber().toString(16),
                "notAfter " + rsa.certificate().getNotAfter().toInstant());
    }

    @Test
    void anExpiredCertificateIsRefusedNamingTheFileAndItsNotAfterDate() {
        Pem expired = TestCertificates.generate(dir, "expired", "RSA", "-10d", 2);

        assertThatThrownBy(() -> load(expired.cert(), expired.key()))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("server.tls.certFile: " + expired.cert())
                .hasMessageContaining("expired on " + expired.certificate().getNotAfter().toInstant());
    }

    @Test
    void aCertificateNotYetValidIsRefusedNamingItsNotBeforeDate() {
        Pem future = TestCertificates.generate(dir, "future", "RSA", "+10d", 30);

        assertThatThrownBy(() -> load(future.cert(), future.key()))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("server.tls.certFile: " + future.cert())
                .hasMessageContaining("not valid before " + future.certificate().getNotBefore().toInstant());
    }

    @Test
    void aKeyThatDoesNotMatchTheCertificateIsRefused() {
        assertThatThrownBy(() -> load(rsa.cert(), other.key()))
                .isInstanceOf(ConfigException.class)
                .hasMessage("server.tls.keyFile: " + other.key() + ": the key does not match the certificate in "
                        + rsa.cert() + " (CN=rsa)");
    }

    @Test
    void anEcKeyOfAnRsaCertificateIsRefused() {
        Pem ec = TestCertificates.generate(dir, "ec-mismatch", "EC", null, 30);

        assertThatThrownBy(() -> load(rsa.cert(), ec.key()))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("server.tls.keyFile: " + ec.key() + ": not usable as the certificate's key")
                .hasMessageContaining("does not match");
    }

    @Test
    void missingFilesAreRefusedNamingTheirKey() {
        Path missing = dir.resolve("missing.pem");

        assertThatThrownBy(() -> load(missing, rsa.key()))
                .hasMessage("server.tls.certFile: " + missing + ": no such file");
        assertThatThrownBy(() -> load(rsa.cert(), missing))
                .hasMessage("server.tls.keyFile: " + missing + ": no such file");
        assertThatThrownBy(() -> ServedCertificate.load(
                new ServerConfig.Tls(rsa.cert().toString(), rsa.key().toString(), missing.toString()), Instant.now()))
                .hasMessage("server.tls.caFile: " + missing + ": no such file");
    }

    @Test
    void filesThatAreNotPemAreRefused() throws IOException {
        Path garbage = Files.writeString(dir.resolve("garbage.pem"), "not a certificate\n");
        Path truncated = Files.writeString(dir.resolve("truncated.pem"),
                Files.readString(rsa.cert()).substring(0, 200));

        assertThatThrownBy(() -> load(garbage, rsa.key()))
                .hasMessageStartingWith("server.tls.certFile: " + garbage + ": holds no -----BEGIN CERTIFICATE----- block");
        assertThatThrownBy(() -> load(truncated, rsa.key()))
                .hasMessageStartingWith("server.tls.certFile: " + truncated + ": not a PEM certificate");
        assertThatThrownBy(() -> load(rsa.cert(), garbage))
                .hasMessageStartingWith("server.tls.keyFile: " + garbage + ": not usable as the certificate's key");
    }

    @Test
    void anRsaKeyInPkcs1FormIsAccepted() throws IOException {
        Path pkcs1 = Files.writeString(dir.resolve("rsa.pkcs1.pem"),
                TestCertificates.pem("RSA PRIVATE KEY", TestCertificates.pkcs1(rsa.privateKey().getEncoded())));

        assertThat(load(rsa.cert(), pkcs1).certificate()).isEqualTo(rsa.certificate());
    }

    @Test
    void anEcKeyInSec1FormAsOpensslWritesItIsAccepted() throws IOException {
        Pem ec = TestCertificates.generate(dir, "sec1", "EC", null, 30);
        byte[] s = unsigned(((java.security.interfaces.ECPrivateKey) ec.privateKey()).getS(), 32);
        // ECPrivateKey ::= SEQUENCE { version 1, privateKey OCTET STRING, [0] parameters: the OID of P-256 }
        byte[] sec1 = new byte[2 + 3 + 2 + 32 + 12];
        byte[] head = {0x30, 0x31, 0x02, 0x01, 0x01, 0x04, 0x20};
        byte[] curve = {(byte) 0xA0, 0x0A, 0x06, 0x08, 0x2A, (byte) 0x86, 0x48, (byte) 0xCE, 0x3D, 0x03, 0x01, 0x07};
        System.arraycopy(head, 0, sec1, 0, head.length);
        System.arraycopy(s, 0, sec1, head.length, 32);
        System.arraycopy(curve, 0, sec1, head.length + 32, curve.length);
        Path key = Files.writeString(dir.resolve("sec1.ec.pem"), TestCertificates.pem("EC PRIVATE KEY", sec1));

        assertThat(load(ec.cert(), key).certificate()).isEqualTo(ec.certificate());
    }

    /** {@code n} as exactly {@code length} big-endian bytes. */
    private static byte[] unsigned(java.math.BigInteger n, int length) {
        byte[] b = n.toByteArray();
        byte[] out = new byte[length];
        int copy = Math.min(b.length, length);
        System.arraycopy(b, b.length - copy, out, length - copy, copy);
        return out;
    }

    @Test
    void anEcCertificateAndKeyAreAccepted() {
        Pem ec = TestCertificates.generate(dir, "ec", "EC", null, 30);

        assertThat(load(ec.cert(), ec.key()).certificate()).isEqualTo(ec.certificate());
    }

    @Test
    void theChainInCaFileIsAppendedAfterTheCertificate() {
        Pem leaf = TestCertificates.issued(dir, "leaf");
        Path ca = dir.resolve("leaf.ca.pem");

        ServedCertificate c = ServedCertificate.load(new ServerConfig.Tls(leaf.cert().toString(), leaf.key().toString(),
                ca.toString()), Instant.now());

        assertThat(c.certificate()).isEqualTo(leaf.certificate());
        assertThat(c.describe()).contains("CN=leaf");
    }

    @Test
    void aCaFileThatDidNotIssueTheCertificateIsRefused() {
        assertThatThrownBy(() -> ServedCertificate.load(new ServerConfig.Tls(rsa.cert().toString(), rsa.key().toString(),
                other.cert().toString()), Instant.now()))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("server.tls.caFile: " + other.cert() + ": CN=other is not the issuer of CN=rsa");
    }

    @Test
    void anExpiredCertificateInCaFileIsRefused() {
        Pem expired = TestCertificates.generate(dir, "expired-ca", "RSA", "-10d", 2);

        assertThatThrownBy(() -> ServedCertificate.load(new ServerConfig.Tls(rsa.cert().toString(), rsa.key().toString(),
                expired.cert().toString()), Instant.now()))
                .hasMessageStartingWith("server.tls.caFile: " + expired.cert())
                .hasMessageContaining("expired on");
    }
}
