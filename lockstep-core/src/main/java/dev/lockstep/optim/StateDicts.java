package dev.lockstep.optim;

import dev.lockstep.tensor.DType;
import dev.lockstep.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Reading and checking the hyper-parameter entries that optimiser and scheduler state dicts share. */
final class StateDicts {
    private StateDicts() {
    }

    /** A float64 tensor: 0-d for one value (PyTorch's scalars), 1-d otherwise (its tuples). */
    static Tensor values(double... values) {
        return values.length == 1
                ? Tensor.full(values[0], DType.FLOAT64)
                : Tensor.of(values, values.length);
    }

    /**
     * The values under {@code key}, or {@code null} after recording a problem when the key is
     * missing or does not hold {@code count} values.
     */
    static double[] read(Map<String, Tensor> state, String key, int count, List<String> problems) {
        Tensor t = state.get(key);
        if (t == null) {
            problems.add("missing key '" + key + "'");
            return null;
        }
        if (t.numel() != count || t.dim() > 1 || (count == 1 && t.dim() != 0)) {
            problems.add("'" + key + "' has shape " + Arrays.toString(t.shape()) + ", expected "
                    + (count == 1 ? "[] (a scalar)" : "[" + count + "]"));
            return null;
        }
        return t.toDoubleArray();
    }

    /** Records a problem unless {@code key} holds exactly {@code expected}: hyper-parameters must match to resume. */
    static void requireEqual(Map<String, Tensor> state, String key, double[] expected, String owner,
            List<String> problems) {
        double[] actual = read(state, key, expected.length, problems);
        if (actual != null && !Arrays.equals(actual, expected)) {
            problems.add("'" + key + "' is " + format(actual) + " but this " + owner + " has " + format(expected));
        }
    }

    /** Records a problem when a non-negative finite value was expected. */
    static void requireNonNegative(String key, double[] values, List<String> problems) {
        if (values != null && !(values[0] >= 0 && values[0] < Double.POSITIVE_INFINITY)) {
            problems.add("'" + key + "' is " + values[0] + ", expected a finite value >= 0");
        }
    }

    static void throwIfAny(String owner, List<String> problems) {
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("state dict does not fit " + owner + ": " + String.join("; ", problems));
        }
    }

    private static String format(double[] values) {
        return values.length == 1 ? Double.toString(values[0]) : Arrays.toString(values);
    }
}
