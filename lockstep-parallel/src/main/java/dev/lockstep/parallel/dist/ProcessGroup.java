package dev.lockstep.parallel.dist;

import dev.lockstep.tensor.MemoryScope;
import dev.lockstep.tensor.Tensor;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import org.bytedeco.javacpp.chrono.Milliseconds;
import org.bytedeco.pytorch.AllgatherOptions;
import org.bytedeco.pytorch.AllreduceOptions;
import org.bytedeco.pytorch.BackendOptional;
import org.bytedeco.pytorch.BarrierOptions;
import org.bytedeco.pytorch.BroadcastOptions;
import org.bytedeco.pytorch.DeviceOptional;
import org.bytedeco.pytorch.GlooDeviceVector;
import org.bytedeco.pytorch.ProcessGroup.BackendType;
import org.bytedeco.pytorch.ProcessGroupGloo;
import org.bytedeco.pytorch.ReduceScatterOptions;
import org.bytedeco.pytorch.TCPStore;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.Work;
import org.bytedeco.pytorch.gloo.Device;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.DeviceType;

/**
 * The processes of one job and the collectives between them, as a {@code torch.distributed}
 * process group. Every rank must call the same collectives in the same order. Each waits at most
 * the group's timeout; a failure (peer died, timeout) becomes a {@link DistributedException}
 * naming this rank and, when it can be told, the dead one.
 *
 * <pre>{@code
 * try (ProcessGroup pg = ProcessGroup.init(ProcessGroupOptions.fromEnvironment())) {
 *     pg.allReduce(loss, ReduceOp.AVG);
 * }
 * }</pre>
 */
public final class ProcessGroup implements AutoCloseable {
    private final ProcessGroupOptions options;
    private final Peers peers;
    // Natives below are owned through c10 intrusive pointers once handed to libtorch, so Java must
    // never free them (see PRESETS-NOTES: the TCPStore ownership trap); they live with this object.
    private final RendezvousStore rendezvous;
    private final TCPStore store;
    private final org.bytedeco.pytorch.Backend backend;
    private final org.bytedeco.pytorch.ProcessGroup group;
    private boolean closed;

    private ProcessGroup(ProcessGroupOptions options) {
        this.options = options;
        this.rendezvous = RendezvousStore.join(options);
        this.store = rendezvous.store();
        try {
            this.peers = Peers.exchange(store, options);
            // Each native owner gets its own clone: handing it the same TCPStore twice aborts the JVM.
            backend = MemoryScope.pin(options.backend() == Backend.NCCL
                    ? NcclBackend.create(store.clone(), options) : gloo(store, options));
            group = MemoryScope.pin(new org.bytedeco.pytorch.ProcessGroup(store.clone(), options.rank(), options.worldSize()));
            DeviceType deviceType = options.backend() == Backend.NCCL ? DeviceType.CUDA : DeviceType.CPU;
            BackendType type = options.backend() == Backend.NCCL ? BackendType.NCCL : BackendType.GLOO;
            if (options.backend() == Backend.NCCL) {
                // before setBackend, which hands the group's bound device to the backend it adds
                group.setBoundDeviceId(new DeviceOptional(
                        new org.bytedeco.pytorch.Device(DeviceType.CUDA, (byte) options.localRank())));
            }
            group.setBackend(deviceType, type, new BackendOptional(backend));
            group.setDefaultBackend(type);
        } catch (DistributedException e) {
            rendezvous.close(); // a retry in this process must find the port free
            throw e;
        } catch (RuntimeException e) {
            rendezvous.close();
            throw new DistributedException(options.rank(), "could not create the " + options.backend()
                    + " process group: " + firstLine(e), e);
        }
    }

    /**
     * Joins the job: rank 0 serves the rendezvous store on {@code masterAddr:masterPort}, the
     * others connect to it, each proving it knows the job's token; returns once all
     * {@code worldSize} ranks have joined.
     *
     * @throws DistributedException if the port is taken, the master cannot be reached, the token is
     *     refused, the ranks disagree about the world size or do not all join within the timeout
     */
    public static ProcessGroup init(ProcessGroupOptions options) {
        return new ProcessGroup(options);
    }

    private static org.bytedeco.pytorch.Backend gloo(TCPStore store, ProcessGroupOptions o) {
        ProcessGroupGloo.Options go = new ProcessGroupGloo.Options(new Milliseconds(o.timeout().toMillis()));
        go.devices(new GlooDeviceVector(glooDevices(o.masterAddr())));
        return new ProcessGroupGloo(store.clone(), o.rank(), o.worldSize(), go);
    }

    /**
     * The network interfaces named in {@code GLOO_SOCKET_IFNAME} (comma-separated), as PyTorch
     * reads it: where the host name resolves to an address peers cannot reach (127.0.1.1 on many
     * Debian hosts, the wrong card). Without it, loopback jobs talk over 127.0.0.1 and others use
     * Gloo's default, the address this host name resolves to.
     */
    private static Device[] glooDevices(String masterAddr) {
        String interfaces = System.getenv("GLOO_SOCKET_IFNAME");
        if (interfaces != null && !interfaces.isBlank()) {
            return Arrays.stream(interfaces.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                    .map(ProcessGroupGloo::createDeviceForInterface).toArray(Device[]::new);
        }
        try {
            if (InetAddress.getByName(masterAddr).isLoopbackAddress()) {
                return new Device[] {ProcessGroupGloo.createDeviceForHostname("127.0.0.1")};
            }
        } catch (UnknownHostException e) {
            // let Gloo report the unreachable master with its own words below
        }
        return new Device[] {ProcessGroupGloo.createDefaultDevice()};
    }

    private Milliseconds timeout() {
        return new Milliseconds(options.timeout().toMillis());
    }

    public int rank() {
        return options.rank();
    }

    public int worldSize() {
        return options.worldSize();
    }

    public int localRank() {
        return options.localRank();
    }

    public ProcessGroupOptions options() {
        return options;
    }

    /** The c10d process group. For Lockstep's own packages; user code never needs it. */
    public org.bytedeco.pytorch.ProcessGroup unwrap() {
        checkOpen();
        return group;
    }

    /** Combines {@code tensor} across ranks in place; every rank ends with the result. */
    public void allReduce(Tensor tensor, ReduceOp op) {
        AllreduceOptions o = new AllreduceOptions();
        o.reduceOp(op.toNative());
        o.timeout(timeout());
        run("all-reduce(" + op + ")", () -> group.allreduce(vector(tensor), o));
    }

    /** Overwrites {@code tensor} on every rank with its value on {@code src}. */
    public void broadcast(Tensor tensor, int src) {
        checkRank(src);
        BroadcastOptions o = new BroadcastOptions();
        o.rootRank(src);
        o.timeout(timeout());
        run("broadcast(from rank " + src + ")", () -> group.broadcast(vector(tensor), o));
    }

    /** Every rank's {@code tensor}, indexed by rank (all ranks must pass the same shape). */
    public List<Tensor> allGather(Tensor tensor) {
        long[] shape = tensor.shape();
        // Gloo wants the ranks' tensors concatenated along dim 0 (all_gather_into_tensor).
        long[] gathered = shape.length == 0 ? new long[] {worldSize()} : shape.clone();
        if (shape.length > 0) {
            gathered[0] *= worldSize();
        }
        Tensor out = Tensor.zeros(tensor.dtype(), gathered).to(tensor.device());
        AllgatherOptions o = new AllgatherOptions();
        o.timeout(timeout());
        run("all-gather", () -> group._allgather_base(out.unwrap(), contiguous(tensor).unwrap(), o));
        List<Tensor> parts = new ArrayList<>();
        long rows = shape.length == 0 ? 1 : shape[0];
        for (int r = 0; r < worldSize(); r++) {
            Tensor part = out.narrow(0, r * rows, rows);
            parts.add(shape.length == 0 ? part.reshape() : part);
        }
        return parts;
    }

    /**
     * Reduces {@code input} across ranks and gives rank r the r-th of {@code worldSize} equal
     * slices along dim 0 ({@code reduce_scatter_tensor}).
     */
    public Tensor reduceScatter(Tensor input, ReduceOp op) {
        long[] shape = input.shape();
        if (shape.length == 0 || shape[0] % worldSize() != 0) {
            throw new IllegalArgumentException("reduceScatter needs dim 0 divisible by the world size "
                    + worldSize() + ", got shape " + java.util.Arrays.toString(shape));
        }
        shape[0] /= worldSize();
        Tensor out = Tensor.zeros(input.dtype(), shape).to(input.device());
        ReduceScatterOptions o = new ReduceScatterOptions();
        o.reduceOp(op.toNative());
        o.timeout(timeout());
        run("reduce-scatter(" + op + ")", () -> group._reduce_scatter_base(out.unwrap(), contiguous(input).unwrap(), o));
        return out;
    }

    /** Returns once every rank has called it. */
    public void barrier() {
        BarrierOptions o = new BarrierOptions();
        o.timeout(timeout());
        run("barrier", () -> group.barrier(o));
    }

    private void run(String what, Supplier<Work> collective) {
        checkOpen();
        try {
            collective.get()._wait();
        } catch (RuntimeException e) {
            throw failure(what, e);
        }
    }

    /**
     * Turns a native failure into an error that says which rank saw it and which peer is gone.
     * For Lockstep's own packages (DDP's gradient all-reduce fails inside libtorch).
     */
    public DistributedException failure(String what, RuntimeException e) {
        String message = firstLine(e);
        List<Integer> dead = peers.deadLocalRanks();
        StringBuilder why = new StringBuilder(what).append(" failed: ");
        if (!dead.isEmpty()) {
            why.append(dead.size() == 1 ? "rank " + dead.get(0) + " (pid " + peers.pid(dead.get(0)) + ") has exited"
                    : "ranks " + dead + " have exited");
        } else if (message.contains("imed out") || message.contains("imeout")) {
            why.append("no answer within ").append(options.timeout())
                    .append(" (a peer is stuck, slower than the timeout, or calling a different collective)");
        } else {
            why.append("a peer failed or is unreachable");
        }
        return new DistributedException(rank(), why + " [" + message + "]", e);
    }

    private static TensorVector vector(Tensor t) {
        if (!t.unwrap().is_contiguous()) {
            throw new IllegalArgumentException("collectives work in place on contiguous tensors; call contiguous() first");
        }
        return new TensorVector(t.unwrap());
    }

    private static Tensor contiguous(Tensor t) {
        return t.unwrap().is_contiguous() ? t : t.contiguous();
    }

    private void checkRank(int r) {
        if (r < 0 || r >= worldSize()) {
            throw new IllegalArgumentException("rank must be in 0.." + (worldSize() - 1) + ", got " + r);
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("process group of rank " + rank() + " is closed");
        }
    }

    static String firstLine(Exception e) {
        String m = String.valueOf(e.getMessage()).strip();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    /**
     * Waits for this rank's pending collectives and shuts the backend down. Does not wait for the
     * other ranks (call {@link #barrier()} first for that). The rendezvous store admits no new
     * connections; its loopback socket stays open until the process exits.
     */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            group.shutdown();
            rendezvous.close();
        }
    }

    @Override
    public String toString() {
        return "ProcessGroup(" + options.backend() + ", rank " + rank() + " of " + worldSize() + ")";
    }
}
