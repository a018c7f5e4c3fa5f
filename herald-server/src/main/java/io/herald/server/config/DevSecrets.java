package io.herald.server.config;

import io.herald.config.ConfigException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where dev mode keeps the secrets it generated, so a restart keeps tokens and saved commands valid: a
 * {@code NAME=value} file ({@code ./data/dev-secrets} by default, relative to the working directory), readable by
 * its owner only (created with mode 0600 where the file system has POSIX permissions). A secret given in the
 * environment is never written here and always wins over what is here.
 */
public final class DevSecrets {
    /** The default place, relative to the working directory: beside the default SQLite file. */
    public static final Path DEFAULT = Path.of("data", "dev-secrets");
    /** Shorter values are not taken from the file (the server refuses them); a new one replaces them. */
    static final int MIN_CHARS = 32;
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private final Path file;
    private final boolean write;

    private DevSecrets(Path file, boolean write) {
        this.file = file;
        this.write = write;
    }

    /** Secrets kept in {@code file}: read from it, and the missing ones generated and written to it. */
    public static DevSecrets keptIn(Path file) {
        return new DevSecrets(file, true);
    }

    /** Secrets read from {@code file} when it exists, never written ({@code herald token}, {@code check-config}). */
    public static DevSecrets readFrom(Path file) {
        return new DevSecrets(file, false);
    }

    public Path file() {
        return file;
    }

    /**
     * What a dev-mode start took from the file.
     *
     * @param file the file
     * @param kept the secrets taken from it (read, or generated and written)
     * @param written whether this start wrote the file (first start here, or a secret was added)
     */
    public record Use(Path file, List<String> kept, boolean written) {
    }

    /** The secrets in the file, by name; empty when there is no file. Lines that are not {@code NAME=value} are skipped. */
    public Map<String, String> read() {
        Map<String, String> values = new LinkedHashMap<>();
        String text;
        if (!Files.exists(file)) {
            // nothing kept yet (or "data" is not a folder: writing says so)
            return values;
        }
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return values;
        } catch (AccessDeniedException e) {
            throw new ConfigException(file.toString(), "cannot read the dev secrets: permission denied");
        } catch (IOException e) {
            throw new ConfigException(file.toString(), "cannot read the dev secrets: " + e.getMessage());
        }
        for (String line : text.split("\n")) {
            String l = line.strip();
            int eq = l.indexOf('=');
            if (l.isEmpty() || l.startsWith("#") || eq <= 0) {
                continue;
            }
            String value = l.substring(eq + 1).strip();
            if (value.length() >= MIN_CHARS) {
                values.put(l.substring(0, eq).strip(), value);
            }
        }
        return values;
    }

    /** Whether missing secrets are written here. */
    boolean writes() {
        return write;
    }

    /**
     * Replaces the file with {@code values}: written to a new file created owner-only, then moved over the old one,
     * so no reader ever sees a half-written file and the secrets are never readable by others, not even briefly.
     */
    void write(Map<String, String> values) {
        StringBuilder text = new StringBuilder()
                .append("# Herald dev mode: the secrets it generated, kept so that a restart keeps tokens valid.\n")
                .append("# Used only for what the environment does not set (ACCESS_TOKEN, JWT_SECRET win). Delete to rotate.\n");
        values.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = dir.resolve("." + file.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
            Files.deleteIfExists(tmp);
            try {
                Files.write(createOwnerOnly(tmp), text.toString().getBytes(StandardCharsets.UTF_8));
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (FileAlreadyExistsException e) {
            throw new ConfigException(file.toString(), "cannot write the dev secrets: " + e.getFile() + " exists");
        } catch (AccessDeniedException e) {
            throw new ConfigException(file.toString(), "cannot write the dev secrets: permission denied");
        } catch (IOException e) {
            throw new ConfigException(file.toString(), "cannot write the dev secrets: " + e.getMessage());
        }
    }

    /** A new empty file with mode 0600 set as it is created (no window with wider permissions), where POSIX applies. */
    private static Path createOwnerOnly(Path path) throws IOException {
        if (path.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            FileAttribute<Set<PosixFilePermission>> ownerOnly = PosixFilePermissions.asFileAttribute(OWNER_ONLY);
            return Files.createFile(path, ownerOnly);
        }
        return Files.createFile(path);
    }
}
