package dev.lockstep.nn;

import dev.lockstep.tensor.DType;
import dev.lockstep.tensor.Device;
import dev.lockstep.tensor.MemoryFormat;
import dev.lockstep.tensor.NoGrad;
import dev.lockstep.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * Base class of every layer and model, as {@code torch.nn.Module}. A subclass registers its
 * parameters, buffers and child modules by name in its constructor; the registry gives them
 * PyTorch's dotted names ({@code conv1.weight}) for state dicts and checkpoints.
 *
 * <pre>{@code
 * class SimpleCNN extends Module {
 *     final Conv2d conv1 = registerModule("conv1", new Conv2d(1, 32, 3, 1, 1));
 *     final MaxPool2d pool = registerModule("pool", new MaxPool2d(2));
 *     final Linear fc1 = registerModule("fc1", new Linear(32 * 14 * 14, 10));
 *     public Tensor forward(Tensor x) {
 *         x = pool.forward(F.relu(conv1.forward(x)));
 *         return fc1.forward(x.flatten(1, -1));
 *     }
 * }
 * }</pre>
 */
public abstract class Module {
    private final Map<String, Tensor> parameters = new LinkedHashMap<>();
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;

    /** The module's computation. */
    public abstract Tensor forward(Tensor input);

    /** Registers a trainable tensor: it gets {@code requiresGrad} and outlives every memory scope. */
    protected final Tensor registerParameter(String name, Tensor value) {
        checkName(name);
        value.keep().requiresGrad(true);
        parameters.put(name, value);
        return value;
    }

    /** Registers state that is saved and moved with the module but not trained (running stats). */
    protected final Tensor registerBuffer(String name, Tensor value) {
        checkName(name);
        buffers.put(name, value.keep());
        return value;
    }

    /** Registers a child module; its parameters appear as {@code name.<param>}. */
    protected final <M extends Module> M registerModule(String name, M module) {
        checkName(name);
        children.put(name, Objects.requireNonNull(module, "module"));
        return module;
    }

    private void checkName(String name) {
        if (name == null || name.isEmpty() || name.contains(".")) {
            throw new IllegalArgumentException("invalid name '" + name + "': must be non-empty without '.'");
        }
        if (parameters.containsKey(name) || buffers.containsKey(name) || children.containsKey(name)) {
            throw new IllegalArgumentException("'" + name + "' is already registered in " + getClass().getSimpleName());
        }
    }

    /** Parameters of this module and its descendants in registration order. */
    public final List<Tensor> parameters() {
        return new ArrayList<>(namedParameters().values());
    }

    /**
     * Parameters by dotted name. A tensor registered under several names (tied weights, a module
     * registered twice) appears once, under its first name, as in PyTorch: an optimiser given it
     * twice would update it twice.
     */
    public final Map<String, Tensor> namedParameters() {
        return firstNames(collect(true));
    }

    /** Buffers by dotted name, each tensor once (as {@link #namedParameters}). */
    public final Map<String, Tensor> namedBuffers() {
        return firstNames(collect(false));
    }

    private Map<String, Tensor> collect(boolean params) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect(out, "", params);
        return out;
    }

    private void collect(Map<String, Tensor> out, String prefix, boolean params) {
        (params ? parameters : buffers).forEach((n, t) -> out.put(prefix + n, t));
        children.forEach((n, m) -> m.collect(out, prefix + n + ".", params));
    }

    private static Map<String, Tensor> firstNames(Map<String, Tensor> all) {
        Set<Tensor> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Map<String, Tensor> out = new LinkedHashMap<>();
        all.forEach((name, t) -> {
            if (seen.add(t)) {
                out.put(name, t);
            }
        });
        return out;
    }

    /** Direct children by name. */
    public final Map<String, Module> children() {
        return Collections.unmodifiableMap(children);
    }

    /** This module and all its descendants, depth first, this one first (PyTorch's {@code modules()}). */
    public final List<Module> modules() {
        List<Module> out = new ArrayList<>();
        addModules(out);
        return out;
    }

    private void addModules(List<Module> out) {
        out.add(this);
        children.values().forEach(c -> c.addModules(out));
    }

    /**
     * Parameters and buffers by dotted name, sharing storage with the module (as PyTorch's
     * {@code state_dict()}; copy before mutating).
     */
    public final Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = collect(true); // every name, a tied tensor's too, as PyTorch's
        out.putAll(collect(false));
        return out;
    }

    /**
     * Copies values into this module's parameters and buffers. Every name must match and every
     * shape agree, or nothing is changed and the error lists what differs.
     */
    public final void loadStateDict(Map<String, Tensor> state) {
        Map<String, Tensor> own = stateDict();
        List<String> problems = new ArrayList<>();
        for (String name : own.keySet()) {
            if (!state.containsKey(name)) {
                problems.add("missing key '" + name + "'");
            } else if (!Arrays.equals(own.get(name).shape(), state.get(name).shape())) {
                problems.add("'" + name + "' has shape " + Arrays.toString(state.get(name).shape())
                        + ", expected " + Arrays.toString(own.get(name).shape()));
            }
        }
        for (String name : state.keySet()) {
            if (!own.containsKey(name)) {
                problems.add("unexpected key '" + name + "'");
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("state dict does not fit " + getClass().getSimpleName()
                    + ": " + String.join("; ", problems));
        }
        try (NoGrad g = NoGrad.open()) {
            own.forEach((name, t) -> t.copyFrom(state.get(name)));
        }
    }

    /** Moves every parameter and buffer, and any gradient, to {@code device} in place; returns this module. */
    public Module to(Device device) {
        return apply(t -> true, t -> t.to(device));
    }

    /**
     * Replaces each parameter's and buffer's data, and its gradient's, by {@code convert} of it,
     * where {@code which} holds, as PyTorch's {@code _apply}: a gradient left behind on the old
     * device or dtype would break the next backward or optimiser step.
     */
    private Module apply(Predicate<Tensor> which, UnaryOperator<Tensor> convert) {
        try (NoGrad g = NoGrad.open()) {
            for (Tensor t : stateDict().values()) {
                if (which.test(t)) {
                    t.setData(convert.apply(t));
                    Tensor grad = t.grad();
                    if (grad != null) {
                        t.setGrad(convert.apply(grad));
                    }
                }
            }
        }
        return this;
    }

    /**
     * Casts floating-point parameters and buffers to {@code dtype} in place, as
     * {@code module.to(torch.float64)}; integer buffers such as {@code num_batches_tracked} keep
     * their type. Returns this module.
     */
    public Module to(DType dtype) {
        if (!dtype.isFloatingPoint()) {
            throw new IllegalArgumentException("Module.to needs a floating-point dtype, got " + dtype);
        }
        return apply(t -> t.dtype().isFloatingPoint(), t -> t.to(dtype));
    }

    /**
     * Lays out every 4-d parameter and buffer (convolution weights) in {@code format} in place, as
     * {@code module.to(memory_format=...)}; others keep theirs. Returns this module. Gradients take
     * their parameter's layout, which DDP's buckets expect: with channels-last inputs and
     * contiguous weights, the convolutions' weight gradients came out channels-last, and the
     * reducer warned that they did not match its bucket views.
     */
    public Module to(MemoryFormat format) {
        Objects.requireNonNull(format, "format");
        return apply(t -> t.dim() == 4, t -> t.contiguous(format));
    }

    /**
     * Training mode (dropout active, batch norm uses batch statistics), recursively through each
     * child's own {@code train()}, so that a module overriding it (a wrapper) is reached.
     */
    public Module train() {
        training = true;
        children.values().forEach(Module::train);
        return this;
    }

    /** Evaluation mode, recursively through each child's {@code eval()}. */
    public Module eval() {
        training = false;
        children.values().forEach(Module::eval);
        return this;
    }

    public final boolean isTraining() {
        return training;
    }

    /** Drops every parameter's gradient, as {@code zero_grad()}. */
    public void zeroGrad() {
        parameters().forEach(Tensor::clearGrad);
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + children.keySet();
    }
}
