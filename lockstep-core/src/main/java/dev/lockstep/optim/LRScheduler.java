package dev.lockstep.optim;

import dev.lockstep.tensor.DType;
import dev.lockstep.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Base of the learning-rate schedulers, as {@code torch.optim.lr_scheduler.LRScheduler}: call
 * {@link #step()} once per epoch after the optimiser's steps. Schedules are closed forms of the
 * epoch, so a scheduler's whole state is its epoch and base learning rate.
 */
public abstract class LRScheduler {
    private static final Set<String> OWN_KEYS = Set.of("last_epoch", "base_lrs", "_last_lr");

    protected final Optimizer optimizer;
    private double baseLr;
    private long lastEpoch;
    private double lastLr;

    /**
     * Starts at epoch 0 with the optimiser's current learning rate as the base, as PyTorch's
     * constructor does; every schedule must therefore give {@code lrAt(0) == baseLr()}.
     */
    protected LRScheduler(Optimizer optimizer) {
        this.optimizer = Objects.requireNonNull(optimizer, "optimizer");
        this.baseLr = optimizer.lr();
        this.lastLr = baseLr;
    }

    /** The learning rate for {@code epoch}. */
    protected abstract double lrAt(long epoch);

    /** The schedule's settings by PyTorch's attribute names; a loaded state dict must match them. */
    protected abstract Map<String, double[]> hyperParameters();

    /** Advances one epoch and sets the optimiser's learning rate for it. */
    public final void step() {
        lastEpoch++;
        lastLr = lrAt(lastEpoch);
        optimizer.setLr(lastLr);
    }

    /** The learning rate the last {@link #step()} set ({@code get_last_lr()[0]}). */
    public final double lastLr() {
        return lastLr;
    }

    /** Epochs stepped so far. */
    public final long lastEpoch() {
        return lastEpoch;
    }

    /** The learning rate of epoch 0. */
    protected final double baseLr() {
        return baseLr;
    }

    /** {@code last_epoch}, {@code base_lrs}, {@code _last_lr} and the settings, as tensors. */
    public final Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        out.put("last_epoch", Tensor.full(lastEpoch, DType.INT64));
        out.put("base_lrs", Tensor.of(new double[] {baseLr}, 1));
        out.put("_last_lr", Tensor.of(new double[] {lastLr}, 1));
        new TreeMap<>(hyperParameters()).forEach((name, v) -> out.put(name, StateDicts.values(v)));
        return out;
    }

    /**
     * Restores a {@link #stateDict()}. The settings must equal this scheduler's; otherwise, or
     * with unknown or missing keys, nothing changes and the error lists each problem. The
     * optimiser's learning rate is left alone: it is restored with the optimiser's state.
     */
    public final void loadStateDict(Map<String, Tensor> state) {
        String owner = getClass().getSimpleName();
        List<String> problems = new ArrayList<>();
        Set<String> known = new HashSet<>(OWN_KEYS);
        known.addAll(hyperParameters().keySet());
        state.keySet().stream().filter(k -> !known.contains(k))
                .forEach(k -> problems.add("unexpected key '" + k + "'"));
        double[] epoch = StateDicts.read(state, "last_epoch", 1, problems);
        if (epoch != null && !(epoch[0] >= 0 && epoch[0] == Math.rint(epoch[0]))) {
            problems.add("'last_epoch' is " + epoch[0] + ", expected a whole number >= 0");
        }
        double[] base = readOne(state, "base_lrs", problems);
        double[] last = readOne(state, "_last_lr", problems);
        StateDicts.requireNonNegative("base_lrs", base, problems);
        StateDicts.requireNonNegative("_last_lr", last, problems);
        hyperParameters().forEach((name, v) -> StateDicts.requireEqual(state, name, v, owner, problems));
        StateDicts.throwIfAny(owner, problems);
        lastEpoch = (long) epoch[0];
        baseLr = base[0];
        lastLr = last[0];
    }

    /** PyTorch keeps one entry per param group in these lists; Lockstep has one group. */
    private static double[] readOne(Map<String, Tensor> state, String key, List<String> problems) {
        Tensor t = state.get(key);
        if (t != null && t.dim() == 1 && t.numel() == 1) {
            return t.toDoubleArray();
        }
        problems.add(t == null ? "missing key '" + key + "'"
                : "'" + key + "' has shape " + Arrays.toString(t.shape()) + ", expected [1]");
        return null;
    }
}
