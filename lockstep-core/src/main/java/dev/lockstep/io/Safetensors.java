package dev.lockstep.io;

import dev.lockstep.tensor.DType;
import dev.lockstep.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Reads and writes the <a href="https://github.com/huggingface/safetensors">safetensors</a>
 * format: an 8-byte little-endian header length N, N bytes of JSON header (padded with spaces to
 * a multiple of 8) mapping each name to {@code {"dtype", "shape", "data_offsets"}} plus an
 * optional {@code "__metadata__"} of strings, then the tensors' bytes, contiguous, row-major and
 * little-endian, at offsets relative to the end of the header.
 */
public final class Safetensors {
    private static final String METADATA = "__metadata__";
    /** The reference implementation's limit; a larger length means a corrupted or foreign file. */
    private static final long MAX_HEADER = 100_000_000;
    /** A tensor's bytes pass through one Java array (the largest one the JVM allocates). */
    private static final long MAX_TENSOR_BYTES = Integer.MAX_VALUE - 8;

    private Safetensors() {
    }

    /** Writes {@code tensors} (copied to the CPU) to {@code file}; see {@link #save(Map, Map, Path)}. */
    public static void save(Map<String, Tensor> tensors, Path file) throws IOException {
        save(tensors, Map.of(), file);
    }

    /**
     * Writes {@code tensors} and string {@code metadata} to {@code file} atomically: the data go
     * to a temporary file in the same directory, are forced to disk, then renamed over
     * {@code file}, so a reader sees the old file or the new one, never a mix, and a failure
     * leaves the old file as it was.
     */
    public static void save(Map<String, Tensor> tensors, Map<String, String> metadata, Path file)
            throws IOException {
        List<Entry> entries = layout(tensors);
        byte[] header = header(entries, metadata);
        AtomicFiles.write(file, out -> {
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, header.length).array());
            out.write(header);
            for (Entry e : inOffsetOrder(entries)) {
                byte[] bytes = e.tensor.toBytes();
                if (bytes.length != e.end - e.begin) {
                    throw new IllegalStateException("tensor '" + e.name + "' changed while being saved");
                }
                out.write(bytes);
            }
        });
    }

    /** The tensors of {@code file}, on the CPU, in header order. */
    public static Map<String, Tensor> load(Path file) throws IOException {
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            Header h = readHeader(file, in);
            Map<String, Tensor> out = new LinkedHashMap<>();
            for (Entry e : h.entries) {
                ByteBuffer bytes = ByteBuffer.allocate(Math.toIntExact(e.end - e.begin));
                readFully(file, in, bytes, h.dataStart + e.begin);
                out.put(e.name, Tensor.fromBytes(bytes.array(), e.dtype, e.shape));
            }
            return out;
        }
    }

    /** The {@code __metadata__} of {@code file}, empty when it has none; reads only the header. */
    public static Map<String, String> metadata(Path file) throws IOException {
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            return readHeader(file, in).metadata;
        }
    }

    // ---------------------------------------------------------------- writing

    /**
     * Each tensor's place, in the caller's order. The data are laid out widest dtype first, so
     * every tensor starts at a multiple of its element size, as the reference writer does.
     */
    private static List<Entry> layout(Map<String, Tensor> tensors) {
        List<Entry> sized = new ArrayList<>();
        tensors.forEach((name, t) -> {
            Objects.requireNonNull(name, "tensor name");
            Objects.requireNonNull(t, () -> "tensor '" + name + "'");
            if (name.equals(METADATA)) {
                throw new IllegalArgumentException("'" + METADATA + "' is reserved and cannot name a tensor");
            }
            long bytes = t.numel() * t.dtype().byteSize();
            if (bytes > MAX_TENSOR_BYTES) {
                throw new IllegalArgumentException("tensor '" + name + "' has " + bytes
                        + " bytes; tensors over 2 GiB are not supported");
            }
            sized.add(new Entry(name, t, t.dtype(), t.shape(), 0, bytes));
        });
        List<Entry> widestFirst = new ArrayList<>(sized);
        widestFirst.sort(Comparator.comparingInt((Entry e) -> -e.dtype.byteSize()));
        Map<String, Long> begins = new HashMap<>();
        long offset = 0;
        for (Entry e : widestFirst) {
            begins.put(e.name, offset);
            offset += e.end;
        }
        return sized.stream()
                .map(e -> new Entry(e.name, e.tensor, e.dtype, e.shape, begins.get(e.name), begins.get(e.name) + e.end))
                .toList();
    }

    /** The JSON header in the caller's order, metadata first, padded with spaces to a multiple of 8. */
    private static byte[] header(List<Entry> entries, Map<String, String> metadata) {
        Map<String, Object> json = new LinkedHashMap<>();
        if (!metadata.isEmpty()) {
            metadata.forEach((k, v) -> Objects.requireNonNull(v, () -> "metadata '" + k + "'"));
            json.put(METADATA, new LinkedHashMap<>(metadata));
        }
        for (Entry e : entries) {
            Map<String, Object> info = new LinkedHashMap<>();
            info.put("dtype", e.dtype.safetensorsName());
            info.put("shape", Arrays.stream(e.shape).boxed().toList());
            info.put("data_offsets", List.of(e.begin, e.end));
            json.put(e.name, info);
        }
        byte[] text = Json.write(json).getBytes(StandardCharsets.UTF_8);
        byte[] padded = Arrays.copyOf(text, (text.length + 7) / 8 * 8);
        Arrays.fill(padded, text.length, padded.length, (byte) ' ');
        return padded;
    }

    // ---------------------------------------------------------------- reading

    private static Header readHeader(Path file, FileChannel in) throws IOException {
        long size = in.size();
        if (size < 8) {
            throw new SafetensorsFormatException(file, "file is " + size
                    + " bytes, too short for the 8-byte header length");
        }
        ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(file, in, lengthBytes, 0);
        long n = lengthBytes.getLong(0);
        if (n < 2 || n > MAX_HEADER || n > size - 8) {
            throw new SafetensorsFormatException(file, "header length " + Long.toUnsignedString(n)
                    + " is not between 2 and min(" + MAX_HEADER + ", file size " + size + " - 8)");
        }
        ByteBuffer headerBytes = ByteBuffer.allocate((int) n);
        readFully(file, in, headerBytes, 8);
        Object json;
        try {
            json = Json.parse(StandardCharsets.UTF_8.newDecoder().decode(headerBytes.flip()).toString());
        } catch (CharacterCodingException e) {
            throw new SafetensorsFormatException(file, "header is not valid UTF-8");
        } catch (IllegalArgumentException e) {
            throw new SafetensorsFormatException(file, "header is not valid JSON: " + e.getMessage());
        }
        if (!(json instanceof Map<?, ?> top)) {
            throw new SafetensorsFormatException(file, "header is not a JSON object");
        }
        Header h = new Header(8 + n);
        for (Map.Entry<?, ?> e : top.entrySet()) {
            String name = (String) e.getKey();
            if (name.equals(METADATA)) {
                h.metadata.putAll(stringMap(file, e.getValue()));
            } else {
                h.entries.add(entry(file, name, e.getValue()));
            }
        }
        checkOffsets(file, h, size);
        return h;
    }

    private static Map<String, String> stringMap(Path file, Object json) throws SafetensorsFormatException {
        if (!(json instanceof Map<?, ?> map) || !map.values().stream().allMatch(String.class::isInstance)) {
            throw new SafetensorsFormatException(file, "'" + METADATA + "' must map strings to strings");
        }
        Map<String, String> out = new LinkedHashMap<>();
        map.forEach((k, v) -> out.put((String) k, (String) v));
        return out;
    }

    private static Entry entry(Path file, String name, Object json) throws SafetensorsFormatException {
        String expected = "tensor '" + name + "' must be {\"dtype\": string, \"shape\": [int >= 0, ...],"
                + " \"data_offsets\": [begin, end]}";
        if (!(json instanceof Map<?, ?> info) || info.size() != 3
                || !(info.get("dtype") instanceof String dtypeName)
                || !(info.get("shape") instanceof List<?> shapeList)
                || !(info.get("data_offsets") instanceof List<?> offsets) || offsets.size() != 2) {
            throw new SafetensorsFormatException(file, expected);
        }
        long[] shape = new long[shapeList.size()];
        long[] range = new long[2];
        try {
            for (int i = 0; i < shape.length; i++) {
                shape[i] = nonNegative(shapeList.get(i));
            }
            range[0] = nonNegative(offsets.get(0));
            range[1] = nonNegative(offsets.get(1));
        } catch (IllegalArgumentException e) {
            throw new SafetensorsFormatException(file, expected);
        }
        DType dtype;
        try {
            dtype = DType.fromSafetensorsName(dtypeName);
        } catch (IllegalArgumentException e) {
            throw new SafetensorsFormatException(file, "tensor '" + name + "' has dtype '" + dtypeName
                    + "'; supported: " + Arrays.stream(DType.values()).map(DType::safetensorsName).toList());
        }
        long bytes;
        try {
            bytes = Arrays.stream(shape).reduce(dtype.byteSize(), Math::multiplyExact);
        } catch (ArithmeticException e) {
            bytes = -1;
        }
        if (range[1] < range[0] || bytes != range[1] - range[0]) {
            throw new SafetensorsFormatException(file, "tensor '" + name + "' of " + dtypeName + " "
                    + Arrays.toString(shape) + " needs " + (bytes < 0 ? "too many" : Long.toString(bytes))
                    + " bytes but its data_offsets " + Arrays.toString(range) + " span "
                    + (range[1] - range[0]));
        }
        if (bytes > MAX_TENSOR_BYTES) {
            throw new SafetensorsFormatException(file, "tensor '" + name + "' has " + bytes
                    + " bytes; tensors over 2 GiB are not supported");
        }
        return new Entry(name, null, dtype, shape, range[0], range[1]);
    }

    private static long nonNegative(Object json) {
        if (json instanceof Long v && v >= 0) {
            return v;
        }
        throw new IllegalArgumentException();
    }

    /** The tensors must tile the data buffer exactly: no gaps, no overlaps, nothing after. */
    private static void checkOffsets(Path file, Header h, long size) throws SafetensorsFormatException {
        long expected = 0;
        for (Entry e : inOffsetOrder(h.entries)) {
            if (e.begin != expected) {
                throw new SafetensorsFormatException(file, "tensor '" + e.name + "' starts at data offset "
                        + e.begin + ", expected " + expected + " (tensors must be contiguous)");
            }
            expected = e.end;
        }
        long available = size - h.dataStart;
        if (expected != available) {
            throw new SafetensorsFormatException(file, "header describes " + expected
                    + " bytes of tensor data but the file holds " + available
                    + (expected > available ? " (truncated?)" : ""));
        }
    }

    private static List<Entry> inOffsetOrder(List<Entry> entries) {
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingLong((Entry e) -> e.begin).thenComparingLong(e -> e.end));
        return sorted;
    }

    private static void readFully(Path file, FileChannel in, ByteBuffer into, long position) throws IOException {
        while (into.hasRemaining()) {
            int n = in.read(into, position + into.position());
            if (n < 0) {
                throw new SafetensorsFormatException(file, "file ended early at byte " + (position + into.position()));
            }
        }
    }

    /** A tensor's place in the file; {@code tensor} is null when reading. */
    private record Entry(String name, Tensor tensor, DType dtype, long[] shape, long begin, long end) {
    }

    private static final class Header {
        final long dataStart;
        final List<Entry> entries = new ArrayList<>();
        final Map<String, String> metadata = new LinkedHashMap<>();

        Header(long dataStart) {
            this.dataStart = dataStart;
        }
    }
}
