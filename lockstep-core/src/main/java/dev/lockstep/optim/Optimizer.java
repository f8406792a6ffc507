package dev.lockstep.optim;

import dev.lockstep.tensor.DType;
import dev.lockstep.tensor.Device;
import dev.lockstep.tensor.NoGrad;
import dev.lockstep.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.LongStream;

/**
 * Base of the optimisers, as {@code torch.optim.Optimizer} with one parameter group. The learning
 * rate is mutable so schedulers can drive it.
 *
 * <p>State dicts use PyTorch's layout flattened to tensor maps, so they can be saved with
 * {@code Safetensors}: {@code state.<i>.<name>} for parameter {@code i}'s state and
 * {@code param_groups.0.<name>} for the hyper-parameters.
 */
public abstract class Optimizer {
    private static final String STATE = "state.";
    private static final String GROUP = "param_groups.0.";
    private static final String STEP = "step";

    protected final List<Tensor> params;
    private final List<Map<String, Tensor>> state = new ArrayList<>();
    private double lr;

    protected Optimizer(List<Tensor> params, double lr) {
        if (params.isEmpty()) {
            throw new IllegalArgumentException("optimizer got an empty parameter list");
        }
        this.params = List.copyOf(params);
        this.lr = nonNegative("learning rate", lr);
        params.forEach(p -> state.add(new HashMap<>()));
    }

    public double lr() {
        return lr;
    }

    public void setLr(double lr) {
        this.lr = nonNegative("learning rate", lr);
    }

    /** Drops every parameter's gradient ({@code set_to_none=True}, PyTorch's default). */
    public void zeroGrad() {
        params.forEach(Tensor::clearGrad);
    }

    /** Applies one update to every parameter that has a gradient. */
    public final void step() {
        try (NoGrad g = NoGrad.open()) {
            updateWithGradients();
        }
    }

    /**
     * Updates every parameter that has a gradient, without recording autograd: collects the
     * gradients and calls {@link #updateAll}, unless an optimiser hands the whole step to libtorch.
     */
    protected void updateWithGradients() {
        List<Integer> indices = new ArrayList<>(params.size());
        List<Tensor> grads = new ArrayList<>(params.size());
        for (int i = 0; i < params.size(); i++) {
            Tensor grad = params.get(i).grad();
            if (grad != null) {
                indices.add(i);
                grads.add(grad);
            }
        }
        updateAll(indices, grads);
    }

    /**
     * Updates the parameters at {@code indices}, whose gradients are {@code grads}; one at a time
     * unless an optimiser updates them together (as PyTorch's {@code foreach} and {@code fused}
     * implementations do).
     */
    protected void updateAll(List<Integer> indices, List<Tensor> grads) {
        for (int k = 0; k < indices.size(); k++) {
            int i = indices.get(k);
            update(i, params.get(i), grads.get(k));
        }
    }

    /** Updates parameter {@code index} in place, keeping its state in {@link #state(int)}. */
    protected abstract void update(int index, Tensor param, Tensor grad);

    /**
     * Parameter {@code index}'s state, as PyTorch's {@code optimizer.state[p]}: empty until its
     * first update. Tensors put here must be {@code keep()}-ed.
     */
    protected final Map<String, Tensor> state(int index) {
        return state.get(index);
    }

    /**
     * Names of the per-parameter state. As in PyTorch, {@code step} is a 0-d counter (int64 on
     * the CPU here, exact at any length of run); every other entry is shaped like its parameter
     * and contiguous.
     */
    protected abstract List<String> stateNames();

    /** Hyper-parameters besides lr by PyTorch's param-group names; a loaded state dict must match them. */
    protected abstract Map<String, double[]> hyperParameters();

    /** Zero-filled state shaped like {@code param}, outliving every memory scope. */
    protected static Tensor zerosLike(Tensor param) {
        return Tensor.zeros(param.dtype(), param.shape()).to(param.device()).keep();
    }

    /** A fresh 0-d {@code step} counter. */
    protected static Tensor newStep() {
        return Tensor.zeros(DType.INT64).keep();
    }

    /** {@code value}, or an exception naming this optimiser and the hyper-parameter when it is not finite and >= 0. */
    protected final double nonNegative(String name, double value) {
        if (!(value >= 0 && value < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": " + name
                    + " must be a finite value >= 0, got " + value);
        }
        return value;
    }

    /**
     * A snapshot of the optimiser as {@code optimizer.state_dict()}: copies of every parameter's
     * state plus {@code param_groups.0.lr}, {@code param_groups.0.params} (the parameter
     * indices) and the other hyper-parameters as float64 tensors.
     */
    public final Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        try (NoGrad g = NoGrad.open()) {
            for (int i = 0; i < params.size(); i++) {
                for (String name : stateNames()) {
                    Tensor t = state.get(i).get(name);
                    if (t != null) {
                        out.put(STATE + i + "." + name, t.clone());
                    }
                }
            }
        }
        out.put(GROUP + "lr", StateDicts.values(lr));
        out.put(GROUP + "params", Tensor.arange(params.size()));
        new TreeMap<>(hyperParameters()).forEach((name, v) -> out.put(GROUP + name, StateDicts.values(v)));
        return out;
    }

    /**
     * Restores a {@link #stateDict()} so training resumes exactly where it was saved. The
     * hyper-parameters other than lr must equal this optimiser's, every key must be known and
     * every shape fit, or nothing changes and the error lists each problem. State is copied to
     * its parameter's device and dtype.
     */
    public final void loadStateDict(Map<String, Tensor> stateDict) {
        String owner = getClass().getSimpleName();
        List<String> problems = new ArrayList<>();
        Map<Integer, Map<String, Tensor>> loaded = new TreeMap<>();
        Map<String, double[]> hypers = hyperParameters();
        for (Map.Entry<String, Tensor> e : stateDict.entrySet()) {
            String key = e.getKey();
            if (key.startsWith(GROUP)) {
                String name = key.substring(GROUP.length());
                if (!name.equals("lr") && !name.equals("params") && !hypers.containsKey(name)) {
                    problems.add("unexpected key '" + key + "'");
                }
            } else if (!parseStateKey(key, e.getValue(), loaded)) {
                problems.add("unexpected key '" + key + "'");
            }
        }
        double[] newLr = StateDicts.read(stateDict, GROUP + "lr", 1, problems);
        StateDicts.requireNonNegative(GROUP + "lr", newLr, problems);
        Tensor indices = stateDict.get(GROUP + "params");
        if (indices == null) {
            problems.add("missing key '" + GROUP + "params'");
        } else if (!Arrays.equals(indices.toLongArray(), LongStream.range(0, params.size()).toArray())) {
            problems.add("'" + GROUP + "params' is " + Arrays.toString(indices.toLongArray())
                    + ", expected the indices of this " + owner + "'s " + params.size() + " parameters");
        }
        hypers.forEach((name, v) -> StateDicts.requireEqual(stateDict, GROUP + name, v, owner, problems));
        loaded.forEach((i, entries) -> checkParamState(i, entries, problems));
        StateDicts.throwIfAny(owner, problems);

        List<Map<String, Tensor>> restored = new ArrayList<>();
        try (NoGrad g = NoGrad.open()) {
            for (int i = 0; i < params.size(); i++) {
                Map<String, Tensor> s = new HashMap<>();
                Tensor param = params.get(i);
                loaded.getOrDefault(i, Map.of()).forEach((name, t) -> s.put(name, name.equals(STEP)
                        ? t.to(DType.INT64).to(Device.CPU).clone().keep()
                        : t.to(param.device()).to(param.dtype()).contiguous().clone().keep()));
                restored.add(s);
            }
        }
        for (int i = 0; i < params.size(); i++) {
            state.set(i, restored.get(i));
        }
        lr = newLr[0];
    }

    /** Files {@code state.<i>.<name>} under its index; false when the key is not one of this optimiser's. */
    private boolean parseStateKey(String key, Tensor value, Map<Integer, Map<String, Tensor>> loaded) {
        if (!key.startsWith(STATE)) {
            return false;
        }
        String rest = key.substring(STATE.length());
        int dot = rest.indexOf('.');
        if (dot < 0 || !stateNames().contains(rest.substring(dot + 1))) {
            return false;
        }
        String index = rest.substring(0, dot);
        int i;
        try {
            i = Integer.parseInt(index);
        } catch (NumberFormatException e) {
            return false;
        }
        if (i < 0 || i >= params.size() || !index.equals(Integer.toString(i))) {
            return false;
        }
        loaded.computeIfAbsent(i, k -> new HashMap<>()).put(rest.substring(dot + 1), value);
        return true;
    }

    private void checkParamState(int i, Map<String, Tensor> entries, List<String> problems) {
        long[] paramShape = params.get(i).shape();
        for (String name : stateNames()) {
            Tensor t = entries.get(name);
            String key = STATE + i + "." + name;
            if (t == null) {
                problems.add("missing key '" + key + "' (parameter " + i + " has other state)");
                continue;
            }
            long[] expected = name.equals(STEP) ? new long[0] : paramShape;
            if (!Arrays.equals(t.shape(), expected)) {
                problems.add("'" + key + "' has shape " + Arrays.toString(t.shape())
                        + ", expected " + Arrays.toString(expected));
            }
        }
    }
}
