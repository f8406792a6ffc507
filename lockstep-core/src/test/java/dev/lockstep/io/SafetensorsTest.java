package dev.lockstep.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.lockstep.tensor.DType;
import dev.lockstep.tensor.MemoryScope;
import dev.lockstep.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {
    @TempDir
    Path dir;

    private static Map<String, Tensor> sample() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("weight", Tensor.of(new float[] {1.5f, -2f, 3.25f, 0f, Float.MIN_VALUE, -0f}, 2, 3));
        m.put("bias", Tensor.of(new double[] {Math.PI, -1e300, Double.NaN}, 3));
        m.put("count", Tensor.full(42, DType.INT64));
        m.put("scale", Tensor.full(0.5, DType.FLOAT32));
        m.put("index", Tensor.of(new long[] {Long.MIN_VALUE, 0, 1, 2, 3, Long.MAX_VALUE}, 3, 1, 2));
        m.put("mask", Tensor.of(new int[] {7, -7}, 2).to(DType.UINT8));
        m.put("empty", Tensor.zeros(DType.FLOAT64, 2, 0, 3));
        return m;
    }

    @Test
    void roundTripsDtypesAndShapesIncludingScalars() throws IOException {
        Path file = dir.resolve("t.safetensors");
        Map<String, Tensor> saved = sample();
        Safetensors.save(saved, file);
        Map<String, Tensor> loaded = Safetensors.load(file);
        assertEquals(List.copyOf(saved.keySet()), List.copyOf(loaded.keySet()));
        saved.forEach((name, t) -> {
            Tensor l = loaded.get(name);
            assertEquals(t.dtype(), l.dtype(), name);
            assertArrayEquals(t.shape(), l.shape(), name);
            assertArrayEquals(t.toBytes(), l.toBytes(), name);
        });
        assertEquals(0, loaded.get("count").dim());
        assertEquals(42, loaded.get("count").itemLong());
        assertTrue(Safetensors.metadata(file).isEmpty());
    }

    @Test
    void writesTheGoldenBytes() throws IOException {
        Path file = dir.resolve("golden.safetensors");
        Safetensors.save(Map.of("a", Tensor.of(new float[] {1f, -2f}, 2)), file);
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.writeBytes(new byte[] {56, 0, 0, 0, 0, 0, 0, 0}); // 54 bytes of JSON + 2 of padding
        expected.writeBytes("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}  "
                .getBytes(StandardCharsets.US_ASCII));
        expected.writeBytes(new byte[] {0, 0, (byte) 0x80, 0x3f, 0, 0, 0, (byte) 0xc0}); // 1.0f, -2.0f
        assertArrayEquals(expected.toByteArray(), Files.readAllBytes(file));
    }

    @Test
    void writesMetadataFirstAndReadsItBack() throws IOException {
        Path file = dir.resolve("meta.safetensors");
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("format", "pt");
        metadata.put("note", "épоch \"3\"\n\\");
        Safetensors.save(Map.of("a", Tensor.of(new float[] {1f, -2f}, 2)), metadata, file);
        String header = new String(Files.readAllBytes(file), 8, 32, StandardCharsets.UTF_8);
        assertTrue(header.startsWith("{\"__metadata__\":{\"format\":\"pt\""), header);
        assertEquals(metadata, Safetensors.metadata(file));
        assertEquals(List.of("a"), List.copyOf(Safetensors.load(file).keySet()));
    }

    @Test
    void alignsEveryTensorToItsElementSize() throws IOException {
        Path file = dir.resolve("aligned.safetensors");
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("bytes", Tensor.of(new int[] {1, 2, 3}, 3).to(DType.UINT8));
        m.put("floats", Tensor.of(new float[] {1f}, 1));
        m.put("doubles", Tensor.of(new double[] {2.0}, 1));
        Safetensors.save(m, file);
        byte[] raw = Files.readAllBytes(file);
        long n = ByteBuffer.wrap(raw, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, (8 + n) % 8);
        @SuppressWarnings("unchecked")
        Map<String, Map<String, List<Long>>> header =
                (Map<String, Map<String, List<Long>>>) Json.parse(new String(raw, 8, (int) n, StandardCharsets.UTF_8));
        assertEquals(List.of("bytes", "floats", "doubles"), List.copyOf(header.keySet()));
        assertEquals(List.of(0L, 8L), header.get("doubles").get("data_offsets"));
        assertEquals(List.of(8L, 12L), header.get("floats").get("data_offsets"));
        assertEquals(List.of(12L, 15L), header.get("bytes").get("data_offsets"));
        assertArrayEquals(new double[] {2.0}, Safetensors.load(file).get("doubles").toDoubleArray());
    }

    @Test
    void savesAnEmptyMap() throws IOException {
        Path file = dir.resolve("none.safetensors");
        Safetensors.save(Map.of(), file);
        assertEquals(16, Files.size(file));
        assertTrue(Safetensors.load(file).isEmpty());
    }

    @Test
    void rejectsTheReservedName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Safetensors.save(Map.of("__metadata__", Tensor.zeros(1)), dir.resolve("x")));
        assertTrue(e.getMessage().contains("reserved"));
    }

    @Test
    void rejectsATensorOver2GiBBeforeWritingAnything() throws IOException {
        Path file = golden();
        byte[] before = Files.readAllBytes(file);
        Tensor huge = Tensor.zeros(DType.UINT8, 1).expand(1L << 31); // a view: no 2 GiB allocated
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Safetensors.save(Map.of("fine", Tensor.ones(3), "huge", huge), file));
        assertTrue(e.getMessage().contains("tensor 'huge' has 2147483648 bytes; tensors over 2 GiB"), e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(file));
        assertEquals(List.of(file), listing());
    }

    // ---------------------------------------------------------------- corrupted files

    private Path golden() throws IOException {
        Path file = dir.resolve("golden.safetensors");
        Safetensors.save(Map.of("a", Tensor.of(new float[] {1f, -2f}, 2)), file);
        return file;
    }

    /** A file with {@code json} as its header (padded) and {@code data} bytes after it. */
    private Path withHeader(String json, int data) throws IOException {
        byte[] text = json.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + text.length + data).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(text.length).put(text);
        Path file = dir.resolve("bad.safetensors");
        Files.write(file, b.array());
        return file;
    }

    private static void assertRejected(Path file, String problem) {
        SafetensorsFormatException e = assertThrows(SafetensorsFormatException.class, () -> Safetensors.load(file));
        assertTrue(e.getMessage().startsWith(file.toString() + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(problem), () -> "no '" + problem + "' in: " + e.getMessage());
    }

    @Test
    void rejectsTruncatedFiles() throws IOException {
        byte[] good = Files.readAllBytes(golden());
        Path file = dir.resolve("cut.safetensors");
        Files.write(file, Arrays.copyOf(good, 5));
        assertRejected(file, "file is 5 bytes, too short for the 8-byte header length");
        Files.write(file, Arrays.copyOf(good, 40));
        assertRejected(file, "header length 56 is not between 2 and min(100000000, file size 40 - 8)");
        Files.write(file, Arrays.copyOf(good, good.length - 3));
        assertRejected(file, "header describes 8 bytes of tensor data but the file holds 5 (truncated?)");
        Files.write(file, Arrays.copyOf(good, good.length + 4));
        assertRejected(file, "header describes 8 bytes of tensor data but the file holds 12");
    }

    @Test
    void rejectsHeadersThatAreNotValid() throws IOException {
        byte[] good = Files.readAllBytes(golden());
        Path file = dir.resolve("bits.safetensors");
        byte[] huge = good.clone();
        huge[7] = (byte) 0x80;
        Files.write(file, huge);
        assertRejected(file, "header length 9223372036854775864 is not between");
        byte[] flipped = good.clone();
        flipped[8 + 5] = '[';
        Files.write(file, flipped);
        assertRejected(file, "header is not valid JSON");
        byte[] binary = good.clone();
        binary[8 + 2] = (byte) 0xff;
        Files.write(file, binary);
        assertRejected(file, "header is not valid UTF-8");

        assertRejected(withHeader("[1, 2]  ", 0), "header is not a JSON object");
        assertRejected(withHeader("{\"a\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[0,4]}}", 4),
                "tensor 'a' has dtype 'BF16'; supported: [F32, F64, I64, I32, U8, BOOL]");
        assertRejected(withHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8),
                "tensor 'a' of F32 [3] needs 12 bytes but its data_offsets [0, 8] span 8");
        assertRejected(withHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", 8),
                "tensor 'a' must be {\"dtype\": string");
        assertRejected(withHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[2]}}", 8), "tensor 'a' must be");
        assertRejected(withHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[12,16]}}", 16),
                "tensor 'b' starts at data offset 12, expected 8 (tensors must be contiguous)");
        assertRejected(withHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8),
                "tensor 'b' starts at data offset 4, expected 8");
        assertRejected(withHeader("{\"__metadata__\":{\"epoch\":3}}", 0), "'__metadata__' must map strings to strings");
        assertRejected(withHeader("{\"a\":{},\"a\":{}}", 0), "duplicate key \"a\"");
    }

    // ---------------------------------------------------------------- atomic writes

    private List<Path> listing() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    @Test
    void aTensorThatThrowsLeavesTheOldFileIntact() throws IOException {
        Path file = golden();
        byte[] before = Files.readAllBytes(file);
        Tensor released;
        try (MemoryScope scope = MemoryScope.open()) {
            released = Tensor.zeros(4);
        }
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("fine", Tensor.ones(3));
        m.put("released", released);
        assertThrows(IllegalStateException.class, () -> Safetensors.save(m, file));
        assertArrayEquals(before, Files.readAllBytes(file));
        assertEquals(List.of(file), listing());
    }

    @Test
    void aFailedRenameLeavesNoTemporaryFile() throws IOException {
        Path target = Files.createDirectory(dir.resolve("occupied"));
        Files.writeString(target.resolve("keep"), "x");
        assertThrows(IOException.class, () -> Safetensors.save(Map.of("a", Tensor.ones(2)), target));
        assertEquals(List.of(target), listing());
        assertEquals("x", Files.readString(target.resolve("keep")));
    }

    @Test
    void aNonWritableDirectoryLeavesTheOldFileIntact() throws IOException {
        Path file = golden();
        byte[] before = Files.readAllBytes(file);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            assumeFalse(Files.isWritable(dir), "running as a user who may write anywhere (root)");
            assertThrows(IOException.class, () -> Safetensors.save(Map.of("b", Tensor.ones(2)), file));
        } finally {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        assertArrayEquals(before, Files.readAllBytes(file));
        assertEquals(List.of(file), listing());
    }

    @Test
    void overwritesAnExistingFile() throws IOException {
        Path file = golden();
        Safetensors.save(Map.of("b", Tensor.of(new long[] {9}, 1)), file);
        assertArrayEquals(new long[] {9}, Safetensors.load(file).get("b").toLongArray());
        assertEquals(List.of(file), listing());
    }
}
