package io.herald.server.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPInputStream;

/**
 * An OCI image layout tarball (Jib's {@code jib:buildTar} with the OCI format) unpacked in plain Java:
 * {@code index.json} → manifest → config, and every layer applied in order to one root directory, the way a
 * container runtime would (whiteouts included), keeping each member's header to check modes and owners.
 * Every blob's sha256 is checked against the digest that names it.
 */
final class OciImage {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Where one path of the root came from: its tar header and the layer (0 = the base's first). */
    record Member(TarReader.Entry entry, int layer) {
    }

    final JsonNode index;
    final JsonNode manifest;
    final JsonNode config;
    final Path root;
    /** Each layer's member names, normalized ("app/classes/..."), in layer order. */
    final List<List<String>> layers = new ArrayList<>();
    /** The last header written to each path of the root. */
    final Map<String, Member> members = new LinkedHashMap<>();

    private final Path blobs;

    private OciImage(Path layout, Path root) throws IOException {
        this.root = root;
        this.blobs = layout.resolve("blobs");
        this.index = JSON.readTree(layout.resolve("index.json").toFile());
        this.manifest = JSON.readTree(blob(index.path("manifests").path(0).path("digest").asText()));
        this.config = JSON.readTree(blob(manifest.path("config").path("digest").asText()));
    }

    /** Unpacks {@code tarball} under {@code work} (layout/ and rootfs/). */
    static OciImage unpack(Path tarball, Path work) throws IOException {
        Path layout = Files.createDirectories(work.resolve("layout"));
        try (TarReader tar = new TarReader(Files.newInputStream(tarball))) {
            for (TarReader.Entry e = tar.next(); e != null; e = tar.next()) {
                Path target = inside(layout, e.name());
                if (e.isDirectory()) {
                    Files.createDirectories(target);
                } else if (e.isFile()) {
                    Files.createDirectories(target.getParent());
                    try (OutputStream out = Files.newOutputStream(target)) {
                        tar.copyTo(out);
                    }
                }
            }
        }
        OciImage image = new OciImage(layout, Files.createDirectories(work.resolve("rootfs")));
        for (JsonNode layer : image.manifest.path("layers")) {
            image.apply(layer.path("digest").asText(), layer.path("mediaType").asText());
        }
        return image;
    }

    /** The config's {@code config} object: Entrypoint, Cmd, Env, User, ExposedPorts, Labels ... */
    JsonNode runConfig() {
        return config.path("config");
    }

    /** The image's environment as a map. */
    Map<String, String> env() {
        Map<String, String> env = new LinkedHashMap<>();
        for (JsonNode kv : runConfig().path("Env")) {
            String s = kv.asText();
            int eq = s.indexOf('=');
            env.put(s.substring(0, eq), s.substring(eq + 1));
        }
        return env;
    }

    /** The index of the layer that holds {@code path} (normalized), or -1. */
    int layerOf(String path) {
        for (int i = 0; i < layers.size(); i++) {
            if (layers.get(i).contains(path)) {
                return i;
            }
        }
        return -1;
    }

    /** A path of the image as a path of the unpacked root: {@code /app/x} → root/app/x. */
    Path path(String imagePath) {
        return inside(root, imagePath);
    }

    private byte[] blob(String digest) throws IOException {
        try (InputStream in = verified(digest)) {
            return in.readAllBytes();
        }
    }

    private void apply(String digest, String mediaType) throws IOException {
        List<String> names = new ArrayList<>();
        int layer = layers.size();
        InputStream raw = verified(digest);
        try (TarReader tar = new TarReader(mediaType.endsWith("+gzip") ? new GZIPInputStream(raw, 1 << 16) : raw)) {
            for (TarReader.Entry e = tar.next(); e != null; e = tar.next()) {
                String name = normalize(e.name());
                if (name.isEmpty()) {
                    continue;
                }
                names.add(name);
                Path target = inside(root, name);
                String base = target.getFileName().toString();
                if (base.equals(".wh..wh..opq")) {
                    clear(target.getParent());
                    continue;
                }
                if (base.startsWith(".wh.")) {
                    delete(target.resolveSibling(base.substring(4)));
                    continue;
                }
                members.put(name, new Member(e, layer));
                Files.createDirectories(target.getParent());
                if (e.isDirectory()) {
                    if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                        delete(target);
                        Files.createDirectories(target);
                    }
                    // owner-writable whatever the image says, so later layers can be applied
                    chmod(target, e.mode() | 0700);
                } else if (e.type() == '2') {
                    delete(target);
                    Files.createSymbolicLink(target, Path.of(e.linkName()));
                } else if (e.type() == '1') {
                    delete(target);
                    Files.copy(inside(root, normalize(e.linkName())), target, StandardCopyOption.COPY_ATTRIBUTES);
                } else if (e.isFile()) {
                    delete(target);
                    try (OutputStream out = Files.newOutputStream(target)) {
                        tar.copyTo(out);
                    }
                    chmod(target, e.mode() | 0600);
                }
            }
        }
        layers.add(List.copyOf(names));
    }

    /** The blob named by {@code digest}, failing at its end if its sha256 is not that digest. */
    private InputStream verified(String digest) throws IOException {
        if (!digest.startsWith("sha256:")) {
            throw new IOException("unexpected digest " + digest);
        }
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        String hex = digest.substring("sha256:".length());
        return new DigestInputStream(Files.newInputStream(blobs.resolve("sha256").resolve(hex)), sha) {
            @Override
            public void close() throws IOException {
                // drain what the reader left (tar end-of-archive padding) before comparing
                transferTo(OutputStream.nullOutputStream());
                super.close();
                String actual = HexFormat.of().formatHex(sha.digest());
                if (!actual.equals(hex)) {
                    throw new IOException("blob " + digest + " has sha256 " + actual);
                }
            }
        };
    }

    static String normalize(String name) {
        String n = name;
        while (n.startsWith("./") || n.startsWith("/")) {
            n = n.startsWith("./") ? n.substring(2) : n.substring(1);
        }
        return n.endsWith("/") ? n.substring(0, n.length() - 1) : n;
    }

    private static Path inside(Path dir, String name) {
        Path p = dir.resolve(normalize(name)).normalize();
        if (!p.startsWith(dir)) {
            throw new IllegalArgumentException("member outside the root: " + name);
        }
        return p;
    }

    private static void chmod(Path p, int mode) throws IOException {
        Set<PosixFilePermission> perms = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] order = {
            PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
            PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ};
        for (int bit = 0; bit < order.length; bit++) {
            if ((mode & (1 << bit)) != 0) {
                perms.add(order[bit]);
            }
        }
        Files.setPosixFilePermissions(p, perms);
    }

    private static void delete(Path p) throws IOException {
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            clear(p);
        }
        Files.deleteIfExists(p);
    }

    private static void clear(Path dir) throws IOException {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (var children = Files.list(dir)) {
            for (Path c : children.toList()) {
                delete(c);
            }
        }
    }
}
