package dev.lockstep.tensor;

import java.util.Locale;
import java.util.Objects;
import org.bytedeco.pytorch.global.torch.DeviceType;

/**
 * Where a tensor lives: {@code cpu} or {@code cuda:N}, parsed and printed as PyTorch does.
 *
 * @param type  the kind of device
 * @param index the device ordinal; always 0 for the CPU
 */
public record Device(Type type, int index) {

    /** Kinds of device Lockstep places tensors on. */
    public enum Type { CPU, CUDA }

    public static final Device CPU = new Device(Type.CPU, 0);

    public Device {
        Objects.requireNonNull(type, "type");
        if (index < 0) {
            throw new IllegalArgumentException("device index must be >= 0, got " + index);
        }
    }

    public static Device cuda(int index) {
        return new Device(Type.CUDA, index);
    }

    /**
     * Parses {@code cpu}, {@code cuda} (= {@code cuda:0}) or {@code cuda:N}.
     *
     * @throws IllegalArgumentException naming the text and the accepted forms
     */
    public static Device parse(String text) {
        String s = text.trim().toLowerCase(Locale.ROOT);
        if (s.equals("cpu")) {
            return CPU;
        }
        if (s.equals("cuda")) {
            return cuda(0);
        }
        if (s.startsWith("cuda:")) {
            try {
                return cuda(Integer.parseInt(s.substring(5)));
            } catch (NumberFormatException e) {
                // fall through to the error below
            }
        }
        throw new IllegalArgumentException("unknown device '" + text + "': expected cpu, cuda or cuda:N");
    }

    public boolean isCuda() {
        return type == Type.CUDA;
    }

    org.bytedeco.pytorch.Device toNative() {
        return type == Type.CPU
                ? new org.bytedeco.pytorch.Device(DeviceType.CPU)
                : new org.bytedeco.pytorch.Device(DeviceType.CUDA, (byte) index);
    }

    /** Where {@code t} lives; asks for libtorch's device object only for a CUDA tensor. */
    static Device of(org.bytedeco.pytorch.Tensor t) {
        return t.is_cuda() ? cuda(Math.max(0, t.device().index())) : CPU;
    }

    @Override
    public String toString() {
        return type == Type.CPU ? "cpu" : "cuda:" + index;
    }
}
