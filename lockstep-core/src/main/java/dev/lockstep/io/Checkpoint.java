package dev.lockstep.io;

import dev.lockstep.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One checkpoint directory of a {@link CheckpointStore}, checked when opened: its manifest
 * parses and every file it lists is there with the recorded size and SHA-256.
 */
public final class Checkpoint {
    static final String MANIFEST = "manifest.json";

    private final Path dir;
    private final Map<String, Object> manifest;
    private final Set<String> files;

    private Checkpoint(Path dir, Map<String, Object> manifest, Set<String> files) {
        this.dir = dir;
        this.manifest = manifest;
        this.files = files;
    }

    /**
     * Opens and checks {@code dir}.
     *
     * @throws CorruptCheckpointException naming the directory and what is wrong with it
     */
    public static Checkpoint open(Path dir) throws IOException {
        Object json;
        try {
            json = Json.parse(Files.readString(dir.resolve(MANIFEST), StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            throw new CorruptCheckpointException(dir, "no " + MANIFEST + " (not a checkpoint, or a partial one)");
        } catch (IllegalArgumentException | java.nio.charset.MalformedInputException e) {
            throw new CorruptCheckpointException(dir, MANIFEST + " is not valid JSON: " + e.getMessage());
        }
        if (!(json instanceof Map<?, ?> top) || !(top.get("files") instanceof Map<?, ?> listing)) {
            throw new CorruptCheckpointException(dir, MANIFEST + " has no \"files\" object");
        }
        for (Map.Entry<?, ?> e : listing.entrySet()) {
            String name = (String) e.getKey();
            Path file = dir.resolve(name);
            if (!(e.getValue() instanceof Map<?, ?> info) || !(info.get("bytes") instanceof Long bytes)
                    || !(info.get("sha256") instanceof String sum) || !file.normalize().startsWith(dir.normalize())) {
                throw new CorruptCheckpointException(dir, MANIFEST + " entry '" + name + "' is malformed");
            }
            if (!Files.isRegularFile(file)) {
                throw new CorruptCheckpointException(dir, name + " is missing");
            }
            if (Files.size(file) != bytes) {
                throw new CorruptCheckpointException(dir, name + " has " + Files.size(file) + " bytes, expected "
                        + bytes + " (truncated?)");
            }
            if (!sha256(file).equals(sum)) {
                throw new CorruptCheckpointException(dir, name + " does not match its SHA-256");
            }
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> manifest = (Map<String, Object>) top;
        @SuppressWarnings("unchecked")
        Set<String> names = (Set<String>) listing.keySet();
        return new Checkpoint(dir, manifest, Set.copyOf(names));
    }

    public Path dir() {
        return dir;
    }

    /** Whether the checkpoint holds the file {@code name}. */
    public boolean has(String name) {
        return files.contains(name);
    }

    /** The tensors of file {@code name}. */
    public Map<String, Tensor> load(String name) throws IOException {
        if (!has(name)) {
            throw new CorruptCheckpointException(dir, "it has no " + name);
        }
        return Safetensors.load(dir.resolve(name));
    }

    /** An integer field of the manifest. */
    public long getLong(String field) throws CorruptCheckpointException {
        if (manifest.get(field) instanceof Long v) {
            return v;
        }
        throw new CorruptCheckpointException(dir, MANIFEST + " has no integer \"" + field + "\"");
    }

    /** A list field of the manifest; empty when the checkpoint has none (one written before it existed). */
    public List<?> getList(String field) throws CorruptCheckpointException {
        Object v = manifest.get(field);
        if (v == null) {
            return List.of();
        }
        if (v instanceof List<?> list) {
            return list;
        }
        throw new CorruptCheckpointException(dir, MANIFEST + " field \"" + field + "\" is not a list");
    }

    @Override
    public String toString() {
        return dir.toString();
    }

    static String sha256(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
