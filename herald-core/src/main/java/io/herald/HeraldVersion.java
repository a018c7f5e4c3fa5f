package io.herald;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** Herald's version as the build wrote it (Maven's project version), for {@code --version} and {@code herald_build_info}. */
public final class HeraldVersion {
    private static final String VERSION = read();

    private HeraldVersion() {
    }

    /** The version, for example {@code 0.1.0-SNAPSHOT}. */
    public static String get() {
        return VERSION;
    }

    private static String read() {
        try (InputStream in = HeraldVersion.class.getResourceAsStream("herald-version.properties")) {
            if (in == null) {
                throw new IllegalStateException("herald-version.properties is missing from the classpath: the build writes it");
            }
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version", "");
            // an unfiltered copy (an IDE that skips Maven's resource filtering) still says where it came from
            return v.isBlank() || v.startsWith("${") ? "unknown" : v;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
