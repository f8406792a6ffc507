package dev.lockstep.parallel;

import dev.lockstep.nn.Module;
import dev.lockstep.parallel.dist.DistributedException;
import dev.lockstep.parallel.dist.ProcessGroup;
import dev.lockstep.tensor.Device;
import dev.lockstep.tensor.Tensor;
import java.lang.ref.Reference;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.bytedeco.pytorch.BoolVector;
import org.bytedeco.pytorch.GradMode;
import org.bytedeco.pytorch.LoggerOptional;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Reducer;
import org.bytedeco.pytorch.SizeTStringMap;
import org.bytedeco.pytorch.SizeTVector;
import org.bytedeco.pytorch.SizeTVectorVector;
import org.bytedeco.pytorch.T_SizeTVectorVectorSizeTVector_T;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * {@code torch.nn.parallel.DistributedDataParallel}: one replica of the model per process, kept
 * identical by averaging gradients across the {@link ProcessGroup} during {@code backward()}.
 * A thin wrapper over c10d's native {@code Reducer}, as PyTorch's is: parameters are grouped into
 * buckets (in reverse registration order, roughly the order backward produces gradients) and each
 * bucket's all-reduce starts as soon as its last gradient is ready, overlapping communication with
 * the rest of backward.
 *
 * <pre>{@code
 * Module ddp = new DistributedDataParallel(model, pg);
 * loss = lossFn.forward(ddp.forward(x), y);  // then backward, step: as on one process
 * }</pre>
 *
 * <p>Every rank must run the same number of forward/backward passes: give each the same number of
 * batches ({@link DistributedSampler} does), or wrap the loop in {@link #join()} to turn uneven
 * inputs into an error on every rank instead of a timeout.
 */
public final class DistributedDataParallel extends Module {
    private static final long BROADCAST_BUCKET_BYTES = 250L << 20; // PyTorch's _DEFAULT_BUCKET for state sync

    private final Module module;
    private final ProcessGroup group;
    private final Options options;
    private final Reducer reducer;
    private final List<Tensor> buffers;
    private final Device device; // the parameters', for join()'s flags
    private boolean requireBackwardGradSync = true;
    private Join join;

    /**
     * @param bucketCapBytes       size of gradient buckets ({@code bucket_cap_mb}, 25 MiB)
     * @param firstBucketCapBytes  size of the first bucket, small so communication starts early (1 MiB)
     * @param findUnusedParameters mark parameters that the forward pass did not use as ready, so
     *                             backward does not wait for them (costs a graph traversal per step)
     * @param broadcastBuffers     copy rank 0's buffers (running statistics) to all ranks before each forward
     */
    public record Options(long bucketCapBytes, long firstBucketCapBytes, boolean findUnusedParameters,
                          boolean broadcastBuffers) {
        public Options {
            if (bucketCapBytes <= 0 || firstBucketCapBytes <= 0) {
                throw new IllegalArgumentException("bucket caps must be > 0, got " + bucketCapBytes + " and "
                        + firstBucketCapBytes);
            }
        }

        public static Options defaults() {
            return new Options(25L << 20, 1L << 20, false, true);
        }

        public Options withBucketCapMiB(double mib) {
            return new Options((long) (mib * (1 << 20)), firstBucketCapBytes, findUnusedParameters, broadcastBuffers);
        }

        public Options withFirstBucketCapMiB(double mib) {
            return new Options(bucketCapBytes, (long) (mib * (1 << 20)), findUnusedParameters, broadcastBuffers);
        }

        public Options withFindUnusedParameters(boolean find) {
            return new Options(bucketCapBytes, firstBucketCapBytes, find, broadcastBuffers);
        }

        public Options withBroadcastBuffers(boolean broadcast) {
            return new Options(bucketCapBytes, firstBucketCapBytes, findUnusedParameters, broadcast);
        }
    }

    public DistributedDataParallel(Module module, ProcessGroup group) {
        this(module, group, Options.defaults());
    }

    /**
     * Wraps {@code module} (already on this rank's device) and overwrites every rank's parameters
     * and buffers with rank 0's. Collective: every rank must construct it.
     *
     * @throws DistributedException if the ranks' models differ in shape or a peer fails
     */
    public DistributedDataParallel(Module module, ProcessGroup group, Options options) {
        this.module = registerModule("module", Objects.requireNonNull(module, "module"));
        this.group = Objects.requireNonNull(group, "group");
        this.options = Objects.requireNonNull(options, "options");
        this.buffers = new ArrayList<>(module.namedBuffers().values());
        Map<String, Tensor> named = module.namedParameters();
        List<Tensor> params = new ArrayList<>(named.values());
        if (params.isEmpty()) {
            throw new IllegalArgumentException("DistributedDataParallel needs a module with parameters");
        }
        // The reducer gets the trained parameters only, as PyTorch's: a frozen one has no gradient
        // accumulator to hook, and c10d's Reducer crashed the process on it. All are broadcast.
        Map<String, Tensor> trained = new LinkedHashMap<>();
        named.forEach((name, p) -> {
            if (p.requiresGrad()) {
                trained.put(name, p);
            }
        });
        if (trained.isEmpty()) {
            throw new IllegalArgumentException("DistributedDataParallel needs a module with parameters that require"
                    + " gradients; all " + params.size() + " are frozen");
        }
        try {
            torch.verify_params_across_processes(group.unwrap(), vector(params), new LoggerOptional());
            List<Tensor> state = new ArrayList<>(params);
            state.addAll(buffers);
            broadcastFromRankZero(state);
            this.reducer = detached(newReducer(vector(new ArrayList<>(trained.values())),
                    new ArrayList<>(trained.keySet())));
        } catch (RuntimeException e) {
            throw failure("setup", e);
        }
        this.device = params.get(0).device();
    }

    /** A native error of a collective, explained in terms of the peers; our own errors as they are. */
    private RuntimeException failure(String what, RuntimeException e) {
        return e instanceof DistributedException ? e : group.failure("DistributedDataParallel " + what, e);
    }

    private Reducer newReducer(TensorVector params, List<String> names) {
        boolean[] dense = new boolean[(int) params.size()];
        T_SizeTVectorVectorSizeTVector_T assignment = torch.compute_bucket_assignment_by_size(params,
                new SizeTVector(options.firstBucketCapBytes(), options.bucketCapBytes()));
        // get0() and get() point into the returned tuple's storage: it must stay reachable (not be
        // freed by the GC) until the buckets are copied into the new vector below.
        SizeTVectorVector buckets = assignment.get0();
        // Backward produces gradients roughly in reverse order of the parameters: start there.
        SizeTVector[] reversed = buckets.get();
        java.util.Collections.reverse(java.util.Arrays.asList(reversed));
        SizeTVectorVector bucketIndices = new SizeTVectorVector(reversed);
        Reference.reachabilityFence(assignment);
        SizeTStringMap paramNames = new SizeTStringMap();
        for (int i = 0; i < names.size(); i++) {
            paramNames.put(i, names.get(i));
        }
        return new Reducer(params, bucketIndices, group.unwrap(), new BoolVector(dense),
                options.bucketCapBytes(), options.findUnusedParameters(), false, paramNames,
                options.firstBucketCapBytes(), false, false);
    }

    /**
     * Gives every rank rank 0's buffers, as the next forward would (with {@code broadcastBuffers}):
     * for evaluating, which runs the wrapped model without this wrapper's forward. Collective.
     */
    public void syncBuffers() {
        try {
            broadcastBuffers();
        } catch (RuntimeException e) {
            throw failure("buffer broadcast", e);
        }
    }

    private void broadcastBuffers() {
        if (options.broadcastBuffers() && !buffers.isEmpty()) {
            broadcastFromRankZero(buffers);
        }
    }

    /** The wrapped model ({@code ddp.module}); its parameters are this module's. */
    public Module module() {
        return module;
    }

    public ProcessGroup processGroup() {
        return group;
    }

    @Override
    public Tensor forward(Tensor input) {
        boolean grad = GradMode.is_enabled();
        boolean sync = grad && requireBackwardGradSync;
        try {
            // join's check first, as PyTorch notifies its join context first: rebuilding the buckets
            // broadcasts, and a rank that ran out of batches waits in join's all-gather instead
            if (sync && join != null) {
                join.step();
            }
            if (grad) {
                reducer.rebuild_buckets(); // once, after the first backward: buckets in gradient-ready order
            }
            if (sync) {
                reducer.prepare_for_forward();
            }
            if (grad) {
                broadcastBuffers();
            }
        } catch (RuntimeException e) {
            throw failure("forward", e);
        }
        Tensor output = module.forward(input);
        if (sync) {
            reducer.prepare_for_backward(options.findUnusedParameters() ? vector(List.of(output)) : new TensorVector());
        }
        return output;
    }

    /**
     * {@code no_sync()}: while open, backward accumulates gradients locally without communicating;
     * the first backward after it closes averages the accumulated gradients. For gradient
     * accumulation over micro-batches:
     * <pre>{@code
     * try (var s = ddp.noSync()) { for (k-1 micro-batches) { forward; backward; } }
     * forward; backward; step;  // the last micro-batch synchronises
     * }</pre>
     */
    public AutoCloseable noSync() {
        boolean previous = requireBackwardGradSync;
        requireBackwardGradSync = false;
        return () -> requireBackwardGradSync = previous;
    }

    /**
     * A scope around a training loop whose ranks may have different numbers of batches. While it
     * is open, each synchronised forward first checks that every rank still has a batch (one tiny
     * all-gather); a rank that runs out checks in when the scope closes. Either way every rank
     * gets a {@link DistributedException} naming the ranks that ran out, instead of a hang.
     */
    public Join join() {
        if (join != null) {
            throw new IllegalStateException("join() scope already open");
        }
        join = new Join();
        return join;
    }

    /** See {@link #join()}. */
    public final class Join implements AutoCloseable {
        private long steps;

        private Join() {
        }

        void step() {
            List<Integer> done = finished(1);
            if (!done.isEmpty()) {
                join = null;
                throw new DistributedException(group.rank(), "uneven inputs: ranks " + done + " ran out of batches"
                        + " after " + steps + " steps while this rank has more; give every rank the same number of"
                        + " batches (DistributedSampler does)");
            }
            steps++;
        }

        @Override
        public void close() {
            if (join != this) {
                return;
            }
            join = null;
            List<Integer> running = new ArrayList<>();
            List<Tensor> flags = group.allGather(flag(0));
            for (int r = 0; r < flags.size(); r++) {
                if (flags.get(r).itemLong() != 0) {
                    running.add(r);
                }
            }
            if (!running.isEmpty()) {
                throw new DistributedException(group.rank(), "uneven inputs: this rank ran out of batches after "
                        + steps + " steps while ranks " + running + " have more; give every rank the same number"
                        + " of batches (DistributedSampler does)");
            }
        }

        /** On the parameters' device: NCCL only takes CUDA tensors. */
        private Tensor flag(long value) {
            return Tensor.of(new long[] {value}, 1).to(device);
        }

        private List<Integer> finished(long mine) {
            List<Tensor> flags = group.allGather(flag(mine));
            List<Integer> done = new ArrayList<>();
            for (int r = 0; r < flags.size(); r++) {
                if (flags.get(r).itemLong() == 0) {
                    done.add(r);
                }
            }
            return done;
        }
    }

    private void broadcastFromRankZero(List<Tensor> tensors) {
        try (NoGradGuard g = new NoGradGuard()) {
            torch.broadcast_coalesced(group.unwrap(), vector(tensors), BROADCAST_BUCKET_BYTES, 0);
        }
    }

    private static TensorVector vector(List<Tensor> tensors) {
        org.bytedeco.pytorch.Tensor[] handles = new org.bytedeco.pytorch.Tensor[tensors.size()];
        for (int i = 0; i < handles.length; i++) {
            handles[i] = tensors.get(i).unwrap();
        }
        return new TensorVector(handles);
    }

    /**
     * The reducer lives as long as this wrapper, whatever memory scope made it: one extra reference
     * outlasts the scope's close; the GC frees it with the wrapper.
     */
    private static Reducer detached(Reducer r) {
        r.retainReference();
        return r;
    }

    @Override
    public String toString() {
        return "DistributedDataParallel(" + module + ", " + group + ")";
    }
}
