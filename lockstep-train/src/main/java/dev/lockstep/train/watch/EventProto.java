package dev.lockstep.train.watch;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * TensorBoard's {@code Event} protobuf, hand-encoded: only the fields Lockstep writes.
 * <pre>
 * Event   { double wall_time = 1; int64 step = 2; string file_version = 3; Summary summary = 5; }
 * Summary { repeated Value value = 1; }
 * Value   { string tag = 1; float simple_value = 2; }
 * </pre>
 */
final class EventProto {
    static final int WIRE_VARINT = 0;
    static final int WIRE_FIXED64 = 1;
    static final int WIRE_BYTES = 2;
    static final int WIRE_FIXED32 = 5;

    private EventProto() {
    }

    /** The first record of every event file. */
    static byte[] fileVersion(double wallTime) {
        ByteArrayOutputStream out = header(wallTime, 0);
        bytes(out, 3, "brain.Event:2".getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    static byte[] scalar(double wallTime, long step, String tag, float value) {
        ByteArrayOutputStream v = new ByteArrayOutputStream();
        bytes(v, 1, tag.getBytes(StandardCharsets.UTF_8));
        key(v, 2, WIRE_FIXED32);
        fixed(v, Float.floatToIntBits(value), 4);
        ByteArrayOutputStream summary = new ByteArrayOutputStream();
        bytes(summary, 1, v.toByteArray());
        ByteArrayOutputStream out = header(wallTime, step);
        bytes(out, 5, summary.toByteArray());
        return out.toByteArray();
    }

    private static ByteArrayOutputStream header(double wallTime, long step) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64);
        key(out, 1, WIRE_FIXED64);
        fixed(out, Double.doubleToLongBits(wallTime), 8);
        key(out, 2, WIRE_VARINT);
        varint(out, step);
        return out;
    }

    private static void key(ByteArrayOutputStream out, int field, int wireType) {
        varint(out, (long) field << 3 | wireType);
    }

    private static void bytes(ByteArrayOutputStream out, int field, byte[] value) {
        key(out, field, WIRE_BYTES);
        varint(out, value.length);
        out.writeBytes(value);
    }

    /** Little-endian, as protobuf's fixed32/fixed64, float and double. */
    private static void fixed(ByteArrayOutputStream out, long bits, int bytes) {
        for (int i = 0; i < bytes; i++) {
            out.write((int) (bits >>> (8 * i)));
        }
    }

    private static void varint(ByteArrayOutputStream out, long value) {
        while ((value & ~0x7FL) != 0) {
            out.write((int) (value & 0x7F) | 0x80);
            value >>>= 7;
        }
        out.write((int) value);
    }
}
