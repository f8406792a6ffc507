package dev.lockstep.parallel;

import dev.lockstep.nn.Module;
import dev.lockstep.tensor.MemoryScope;
import dev.lockstep.tensor.Tensor;
import dev.lockstep.tensor.Torch;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.bytedeco.pytorch.GradMode;
import org.bytedeco.pytorch.global.torch;

/**
 * Long-lived threads that run one module's forward on several inputs at once (PyTorch's
 * {@code parallel_apply}). Each thread gives libtorch its own number of intra-op threads:
 * {@code at::set_num_threads} sets OpenMP's per-thread limit, so the replicas split the cores
 * between them while the caller keeps its own setting (for backward, which libtorch runs on the
 * caller's thread).
 */
final class ReplicaPool implements AutoCloseable {
    static final String THREAD_PREFIX = "lockstep-dp-";
    private static final AtomicInteger POOLS = new AtomicInteger();

    private final ThreadPoolExecutor executor;
    private final List<Thread> threads = new ArrayList<>();

    ReplicaPool(int size, int intraOpThreads) {
        int callerThreads = Torch.numThreads();
        CountDownLatch configured = new CountDownLatch(size);
        String prefix = THREAD_PREFIX + POOLS.incrementAndGet() + "-";
        executor = new ThreadPoolExecutor(size, size, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(() -> {
                // libtorch initialises a thread's setting lazily, from the process default, on
                // its first query; do that first so it cannot later undo ours.
                torch.get_num_threads();
                torch.set_num_threads(intraOpThreads);
                configured.countDown();
                r.run();
            }, prefix + threads.size());
            t.setDaemon(true); // users need not close a DataParallel for the JVM to exit
            threads.add(t);
            return t;
        });
        executor.prestartAllCoreThreads();
        try {
            configured.await();
        } catch (InterruptedException e) {
            close();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting DataParallel's replica threads", e);
        }
        // set_num_threads also sets the default that threads made later start with; put the
        // caller's back so only the replica threads run with fewer.
        torch.set_num_threads(callerThreads);
    }

    /**
     * Runs {@code module.forward(inputs[i])} on thread i and returns the outputs in the caller's
     * memory scope. Each replica's forward runs in a scope of its own, closed when it returns:
     * the activations backward needs are held by the autograd graph, not by those handles.
     */
    Tensor[] forward(Module module, Tensor[] inputs) {
        boolean grad = GradMode.is_enabled(); // thread-local in libtorch: hand the caller's on
        List<Callable<Tensor>> tasks = new ArrayList<>(inputs.length);
        for (Tensor input : inputs) {
            tasks.add(() -> {
                GradMode.set_enabled(grad);
                try (MemoryScope scope = MemoryScope.open()) {
                    return module.forward(input).keep();
                }
            });
        }
        List<Future<Tensor>> futures;
        try {
            futures = executor.invokeAll(tasks); // returns when every replica has finished
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during a DataParallel forward", e);
        }
        Tensor[] outputs = new Tensor[inputs.length];
        RuntimeException failure = null;
        for (int i = 0; i < outputs.length; i++) {
            try {
                Tensor kept = futures.get(i).get();
                // A new handle made here belongs to the caller's scope; the replica's is dropped.
                outputs[i] = kept.newHandle();
                kept.unwrap().close();
            } catch (ExecutionException e) {
                failure = failure != null ? failure : asRuntime(e.getCause());
            } catch (InterruptedException e) {
                throw new AssertionError("a finished future does not wait", e);
            }
        }
        if (failure != null) {
            throw failure;
        }
        return outputs;
    }

    private static RuntimeException asRuntime(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException("replica forward failed: " + t, t);
    }

    /** Stops the threads and waits until they have ended. */
    @Override
    public void close() {
        executor.shutdown();
        try {
            for (Thread t : threads) {
                t.join();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // they still end, just not waited for
        }
    }
}
