package dev.lockstep.io;

import dev.lockstep.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The safetensors format: 8-byte little-endian header length, a JSON header, then the data. */
public final class Safetensors {
    private Safetensors() {
    }

    /** Writes tensors atomically, in map order, contiguous and little-endian. */
    public static void save(Map<String, Tensor> tensors, Path file) throws IOException {
        StringBuilder header = new StringBuilder("{");
        List<byte[]> payloads = new ArrayList<>();
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            byte[] bytes = e.getValue().toBytes();
            payloads.add(bytes);
            header.append(header.length() > 1 ? "," : "").append('"').append(e.getKey()).append("\":{\"dtype\":\"")
                    .append(e.getValue().dtype().safetensorsName()).append("\",\"shape\":[");
            long[] shape = e.getValue().shape();
            for (int i = 0; i < shape.length; i++) {
                header.append(i == 0 ? "" : ",").append(shape[i]);
            }
            header.append("],\"data_offsets\":[").append(offset).append(',').append(offset + bytes.length).append("]}");
            offset += bytes.length;
        }
        header.append('}');
        while (header.length() % 8 != 0) {
            header.append(' ');
        }
        byte[] head = header.toString().getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(file, out -> {
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(head.length).array());
            out.write(head);
            for (byte[] p : payloads) {
                out.write(p);
            }
        });
    }
}
