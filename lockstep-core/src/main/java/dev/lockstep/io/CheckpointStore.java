package dev.lockstep.io;

import dev.lockstep.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A directory of checkpoints, one sub-directory per checkpoint ({@code step-000000123/}) holding
 * safetensors files and a {@code manifest.json} with the caller's fields and each file's size and
 * SHA-256. A checkpoint is built under a hidden temporary name, every file forced to disk, then
 * renamed into place: a crash leaves the whole checkpoint or none of it (plus a temporary
 * directory, which the next save removes). Only the newest {@code keep} are kept, the one just
 * saved always among them.
 */
public final class CheckpointStore {
    private static final Pattern NAME = Pattern.compile("step-(\\d{9,})");
    private static final String TEMP_PREFIX = ".tmp-step-";

    private final Path root;
    private final int keep;

    public CheckpointStore(Path root, int keep) {
        this.root = Objects.requireNonNull(root, "root");
        if (keep < 1) {
            throw new IllegalArgumentException("checkpoints to keep must be >= 1, got " + keep);
        }
        this.keep = keep;
    }

    public Path root() {
        return root;
    }

    /** The directory name of the checkpoint taken after {@code step}; names sort by step. */
    public static String name(long step) {
        return String.format("step-%09d", step);
    }

    /**
     * Writes checkpoint {@code step}: each entry of {@code files} as a safetensors file of that
     * name, and a manifest of {@code fields} (strings, integers, booleans, lists, maps) plus
     * {@code "files"}. Replaces a checkpoint of the same step (an unusable leftover) and prunes
     * the oldest beyond {@code keep}. Checkpoints of later steps are removed too: they were left by
     * a run this one resumed before (unusable ones that resuming skipped, or a branch abandoned by
     * resuming an earlier checkpoint), and {@link #latest} must not return to them.
     */
    public Path save(long step, Map<String, Map<String, Tensor>> files, Map<String, Object> fields)
            throws IOException {
        if (step < 0) {
            throw new IllegalArgumentException("checkpoint step must be >= 0, got " + step);
        }
        for (String name : files.keySet()) {
            if (name.isEmpty() || name.startsWith(".") || name.equals(Checkpoint.MANIFEST)
                    || !name.equals(Path.of(name).getFileName().toString())) {
                throw new IllegalArgumentException("checkpoint file name '" + name
                        + "' must be a plain file name, not hidden and not " + Checkpoint.MANIFEST);
            }
        }
        Files.createDirectories(root);
        removeTemporaries();
        Path tmp = Files.createTempDirectory(root, TEMP_PREFIX + step + "-");
        try {
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
            Map<String, Object> listing = new LinkedHashMap<>();
            for (Map.Entry<String, Map<String, Tensor>> e : files.entrySet()) {
                Path file = tmp.resolve(e.getKey());
                Safetensors.save(e.getValue(), file); // forced to disk before its rename
                Map<String, Object> info = new LinkedHashMap<>();
                info.put("bytes", Files.size(file));
                info.put("sha256", Checkpoint.sha256(file));
                listing.put(e.getKey(), info);
            }
            Map<String, Object> manifest = new LinkedHashMap<>(fields);
            manifest.put("files", listing);
            AtomicFiles.write(tmp.resolve(Checkpoint.MANIFEST), Json.write(manifest).getBytes(StandardCharsets.UTF_8));
            Path target = root.resolve(name(step));
            deleteTree(target);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            AtomicFiles.syncDirectory(root);
            prune(step);
            return target;
        } finally {
            deleteTree(tmp);
        }
    }

    /** Checkpoint directories, newest (highest step) first, whether usable or not. */
    public List<Path> list() throws IOException {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(root)) {
            return s.filter(p -> NAME.matcher(p.getFileName().toString()).matches() && Files.isDirectory(p))
                    .sorted(Comparator.comparingLong(CheckpointStore::step).reversed())
                    .toList();
        }
    }

    /**
     * Throws when this directory already holds checkpoints: a run that starts from the beginning
     * would otherwise prune them away as it saves, or, restarted before its first save, resume
     * from them as if they were its own.
     */
    public void requireNone() throws IOException {
        List<Path> existing = list();
        if (!existing.isEmpty()) {
            throw new IllegalArgumentException(root + " already holds " + existing.size() + " checkpoint"
                    + (existing.size() == 1 ? "" : "s") + " (newest " + existing.get(0).getFileName()
                    + "): resume from them, or write this run's checkpoints elsewhere");
        }
    }

    /**
     * The newest checkpoint that passes its checks; each newer one that does not is reported to
     * {@code warn} (naming it and why) and skipped. Empty when there is none.
     */
    public Optional<Checkpoint> latest(Consumer<String> warn) throws IOException {
        for (Path dir : list()) {
            try {
                return Optional.of(Checkpoint.open(dir));
            } catch (CorruptCheckpointException e) {
                warn.accept(e.getMessage() + "; trying the previous one");
            }
        }
        return Optional.empty();
    }

    private void prune(long saved) throws IOException {
        int kept = 0;
        for (Path dir : list()) {
            if (step(dir) > saved || ++kept > keep) {
                deleteTree(dir);
            }
        }
    }

    /** Leftovers of saves that died before their rename. */
    private void removeTemporaries() throws IOException {
        try (Stream<Path> s = Files.list(root)) {
            for (Path p : s.filter(p -> p.getFileName().toString().startsWith(TEMP_PREFIX)).toList()) {
                deleteTree(p);
            }
        }
    }

    private static long step(Path dir) {
        Matcher m = NAME.matcher(dir.getFileName().toString());
        return m.matches() ? Long.parseLong(m.group(1)) : -1;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            List<Path> deepestFirst = new ArrayList<>(s.toList());
            deepestFirst.sort(Comparator.comparingInt(Path::getNameCount).reversed());
            for (Path p : deepestFirst) {
                Files.deleteIfExists(p);
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
