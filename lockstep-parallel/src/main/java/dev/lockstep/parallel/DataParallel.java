package dev.lockstep.parallel;

import dev.lockstep.nn.Module;
import dev.lockstep.tensor.Device;
import dev.lockstep.tensor.NoGrad;
import dev.lockstep.tensor.Tensor;
import dev.lockstep.tensor.Torch;
import java.lang.ref.Cleaner;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * {@code nn.DataParallel}: one process, several devices. Each forward splits the batch along
 * dim 0 into one chunk per device ({@code torch.chunk}: sizes ⌈n/k⌉, the last smaller, so 10
 * over 3 devices is 4, 4, 2; a batch smaller than the device list, or one that {@code chunk}
 * covers with fewer pieces, uses fewer replicas), runs the module on every chunk in parallel and
 * concatenates the outputs on the first device, the output device. Gradients of a loss over that
 * output reach the wrapped module's own parameters, summed over the replicas as in PyTorch, so an
 * optimiser built over {@code model.parameters()} trains it unchanged.
 * <pre>{@code
 * Module net = DataParallel.of(model, Devices.all());   // a plain call-through on one device
 * }</pre>
 *
 * <p><b>Replicas on the same device share the module.</b> With {@code cpu,cpu} (or a CUDA device
 * listed twice) the very same module object runs on each chunk in its own thread: no parameter
 * copies per step. Backward from the gathered output runs each branch and libtorch adds their
 * contributions into each parameter's {@code grad}. The threads belong to this object, live as
 * long as it does and each gives libtorch {@code max(1, caller's threads / replicas)} intra-op
 * threads, so the replicas share the cores instead of oversubscribing them. Backward runs on
 * the caller's thread with the caller's intra-op threads (libtorch runs CPU backward there).
 * Measured on a busy 2-core machine for a small CNN at batch 64: 2 replicas × 1 thread and one
 * device × 2 threads took about the same time per step (≈26 ms).
 * <b>Replicas on other devices</b> (CUDA) run the module with its parameters replaced by copies
 * made with autograd on ({@code param.to(device)}, PyTorch's broadcast), so their gradients flow
 * back to the originals. Those replicas are launched one after another from the caller's thread;
 * CUDA kernels run asynchronously, so the devices still compute concurrently.
 *
 * <p><b>Buffers and BatchNorm.</b> As in PyTorch, each replica normalises with its own chunk's
 * batch statistics, and only the first replica's in-place buffer updates (running mean and
 * variance, {@code num_batches_tracked}) are kept; the others' are dropped. With shared CPU
 * replicas that is done by running, in training mode and only for modules that have buffers, the
 * replicas one after another on the caller's thread and restoring the buffers to their state
 * after replica 0: well defined, never racing, at the cost of parallelism for such models.
 * In evaluation mode buffers are only read and the replicas run in parallel.
 *
 * <p><b>State dict.</b> The wrapper registers the wrapped module's parameters, buffers and
 * children under the module's own names, without PyTorch's {@code module.} prefix, so a
 * checkpoint saved from a DataParallel run loads into a single-device model and back, and
 * switching the strategy flag never changes checkpoint keys.
 *
 * <p>Closing stops the replica threads (they are daemon threads, and are also stopped once this
 * object is unreachable, so user code need not close it). The wrapped module must not be used
 * from another thread during a forward.
 */
public final class DataParallel extends Module implements AutoCloseable {
    private static final Cleaner CLEANER = Cleaner.create();

    private final Module module;
    private final List<Device> devices;
    private final boolean hasBuffers;
    private final ReplicaPool pool;
    private final Cleaner.Cleanable cleanable;
    private volatile boolean closed;

    private DataParallel(Module module, List<Device> devices) {
        this.module = module;
        this.devices = devices;
        module.to(devices.get(0));
        registerAsOwn(module);
        hasBuffers = !module.namedBuffers().isEmpty();
        boolean shared = devices.stream().allMatch(devices.get(0)::equals);
        if (devices.size() > 1 && shared) {
            pool = new ReplicaPool(devices.size(), Math.max(1, Torch.numThreads() / devices.size()));
            cleanable = CLEANER.register(this, pool::close);
        } else {
            pool = null;
            cleanable = null;
        }
    }

    /**
     * Wraps {@code module} over {@code devices}, moving it (in place) to the first one, the output
     * device.
     *
     * @throws IllegalArgumentException for an empty list or one that mixes CPU and CUDA devices
     */
    public static DataParallel of(Module module, List<Device> devices) {
        Objects.requireNonNull(module, "module");
        if (devices.isEmpty()) {
            throw new IllegalArgumentException("DataParallel needs at least one device");
        }
        if (devices.stream().map(Device::type).distinct().count() > 1) {
            throw new IllegalArgumentException("DataParallel cannot mix CPU and CUDA devices, got " + devices);
        }
        return new DataParallel(module, List.copyOf(devices));
    }

    /** Wraps {@code module} over a device list such as {@code cpu,cpu} or {@code all} (see {@link Devices#parse}). */
    public static DataParallel of(Module module, String devices) {
        return of(module, Devices.parse(devices));
    }

    private void registerAsOwn(Module m) {
        m.children().forEach(this::registerModule);
        m.namedParameters().forEach((name, p) -> {
            if (!name.contains(".")) {
                boolean requiresGrad = p.requiresGrad(); // registering turns it on; keep frozen ones frozen
                registerParameter(name, p);
                p.requiresGrad(requiresGrad);
            }
        });
        m.namedBuffers().forEach((name, b) -> {
            if (!name.contains(".")) {
                registerBuffer(name, b);
            }
        });
    }

    /** The wrapped module, as PyTorch's {@code .module}. */
    public Module module() {
        return module;
    }

    public List<Device> devices() {
        return devices;
    }

    /** Where inputs should be and where outputs are gathered: the first device. */
    public Device outputDevice() {
        return devices.get(0);
    }

    @Override
    public Tensor forward(Tensor input) {
        if (closed) {
            throw new IllegalStateException("DataParallel is closed");
        }
        Device out = outputDevice();
        if (devices.size() == 1) {
            return module.forward(input.to(out));
        }
        if (input.dim() == 0 || input.size(0) == 0) {
            throw new IllegalArgumentException("DataParallel splits dim 0 of its input and needs at least one example,"
                    + " got " + input);
        }
        Tensor[] chunks = scatter(input);
        Tensor[] outputs;
        if (pool == null) {
            outputs = applyOnDevices(chunks);
        } else if (module.isTraining() && hasBuffers) {
            outputs = applyInTurn(chunks);
        } else {
            outputs = pool.forward(module, chunks);
        }
        return gather(outputs, out);
    }

    /** Chunk i goes to devices[i]; {@code to} is differentiable, so input gradients flow back. */
    private Tensor[] scatter(Tensor input) {
        Tensor[] chunks = input.chunk(devices.size(), 0);
        for (int i = 0; i < chunks.length; i++) {
            chunks[i] = chunks[i].to(devices.get(i));
        }
        return chunks;
    }

    private Tensor[] applyOnDevices(Tensor[] chunks) {
        Tensor[] outputs = new Tensor[chunks.length];
        for (int i = 0; i < chunks.length; i++) {
            Device d = devices.get(i);
            outputs[i] = d.equals(outputDevice())
                    ? module.forward(chunks[i])
                    : ParameterSwap.forward(module, t -> t.to(d), chunks[i]);
        }
        return outputs;
    }

    /**
     * Shared replicas of a module with buffers, one at a time. As in PyTorch, replica 0 runs on the
     * module's own buffers and the others on copies of them as they were before the call, whose
     * updates are dropped. Restoring the buffers in place afterwards instead bumped their version
     * counters, and backward refused what BatchNorm had saved of them.
     */
    private Tensor[] applyInTurn(Tensor[] chunks) {
        Map<Tensor, Tensor> before = new IdentityHashMap<>();
        try (NoGrad g = NoGrad.open()) {
            module.namedBuffers().values().forEach(b -> before.put(b, b.clone()));
        }
        Tensor[] outputs = new Tensor[chunks.length];
        outputs[0] = module.forward(chunks[0]);
        for (int i = 1; i < chunks.length; i++) {
            outputs[i] = ParameterSwap.forward(module, t -> before.containsKey(t) ? before.get(t).clone() : t, chunks[i]);
        }
        return outputs;
    }

    private static Tensor gather(Tensor[] outputs, Device device) {
        if (outputs.length == 1) {
            return outputs[0].to(device);
        }
        Tensor[] onDevice = new Tensor[outputs.length];
        for (int i = 0; i < outputs.length; i++) {
            onDevice[i] = outputs[i].to(device);
        }
        return Tensor.cat(0, onDevice);
    }

    /** Training mode for the wrapped module too (its own flag is not among the registered children). */
    @Override
    public Module train() {
        module.train();
        return super.train();
    }

    @Override
    public Module eval() {
        module.eval();
        return super.eval();
    }

    /** Stops the replica threads and waits for them; later forwards throw. */
    @Override
    public void close() {
        closed = true;
        if (cleanable != null) {
            cleanable.clean();
        }
    }

    @Override
    public String toString() {
        return "DataParallel(" + module.getClass().getSimpleName() + " over " + devices + ")";
    }
}
