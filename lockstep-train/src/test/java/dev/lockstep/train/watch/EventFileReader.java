package dev.lockstep.train.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/** Reads TensorBoard event files back as TensorBoard does: record framing, CRCs, then the protobuf. */
final class EventFileReader {
    /** One decoded Event; {@code tag} and {@code value} are null / NaN for the file-version event. */
    record Event(double wallTime, long step, String fileVersion, String tag, float value) {
    }

    private EventFileReader() {
    }

    static List<Event> read(Path file) throws IOException {
        ByteBuffer in = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        List<Event> events = new ArrayList<>();
        while (in.hasRemaining()) {
            byte[] length = new byte[8];
            in.get(length);
            assertEquals(masked(length), in.getInt(), "length CRC of record " + events.size());
            byte[] data = new byte[(int) ByteBuffer.wrap(length).order(ByteOrder.LITTLE_ENDIAN).getLong()];
            in.get(data);
            assertEquals(masked(data), in.getInt(), "data CRC of record " + events.size());
            events.add(decode(data));
        }
        return events;
    }

    /** TensorFlow's mask, written out independently of the code under test. */
    private static int masked(byte[] data) {
        CRC32C crc = new CRC32C();
        crc.update(data);
        long c = crc.getValue();
        return (int) ((((c >>> 15) | (c << 17)) + 0xa282ead8L) & 0xFFFFFFFFL);
    }

    private static Event decode(byte[] event) {
        Map<Integer, Object> e = fields(event);
        String tag = null;
        float value = Float.NaN;
        if (e.containsKey(5)) {
            Map<Integer, Object> v = fields((byte[]) fields((byte[]) e.get(5)).get(1));
            tag = new String((byte[]) v.get(1), StandardCharsets.UTF_8);
            value = Float.intBitsToFloat((int) (long) (Long) v.get(2));
        }
        return new Event(Double.longBitsToDouble((Long) e.get(1)), e.containsKey(2) ? (Long) e.get(2) : 0,
                e.containsKey(3) ? new String((byte[]) e.get(3), StandardCharsets.UTF_8) : null, tag, value);
    }

    /** A protobuf message's fields by number: varints and fixed values as Long, length-delimited as byte[]. */
    private static Map<Integer, Object> fields(byte[] message) {
        ByteBuffer in = ByteBuffer.wrap(message).order(ByteOrder.LITTLE_ENDIAN);
        Map<Integer, Object> fields = new LinkedHashMap<>();
        while (in.hasRemaining()) {
            long key = varint(in);
            int field = (int) (key >>> 3);
            Object value = switch ((int) (key & 7)) {
                case 0 -> varint(in);
                case 1 -> in.getLong();
                case 2 -> {
                    byte[] b = new byte[(int) varint(in)];
                    in.get(b);
                    yield b;
                }
                case 5 -> (long) in.getInt();
                default -> throw new AssertionError("unexpected wire type in key " + key);
            };
            fields.put(field, value);
        }
        return fields;
    }

    private static long varint(ByteBuffer in) {
        long value = 0;
        for (int shift = 0; ; shift += 7) {
            byte b = in.get();
            value |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
    }
}
