package dev.lockstep.parallel;

import dev.lockstep.nn.Module;
import dev.lockstep.tensor.MemoryScope;
import dev.lockstep.tensor.Tensor;
import dev.lockstep.tensor.Torch;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
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
 * between them while the caller keeps its own setting for backward.
 */
final class ReplicaPool implements AutoCloseable {
    private static final AtomicInteger POOLS = new AtomicInteger();
    static final String THREAD_PREFIX = "lockstep-dp-";

    private final ExecutorService executor;
    private final List<Thread> threads = new ArrayList<>();

    ReplicaPool(int size, int intraOpThreads) {
        int callerThreads = Torch.numThreads();
        CountDownLatch configured = new CountDownLatch(size);
        String prefix = THREAD_PREFIX + POOLS.incrementAndGet() + "-";
        ThreadPoolExecutor pool = new ThreadPoolExecutor(size, size, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(() -> {
                // libtorch initialises a thread's setting lazily, from the process default, on
                // its first query; do that first so it cannot later undo ours.
                torch.get_num_threads();
                torch.set_num_threads(intraOpThreads);
                configured.countDown();
                r.run();
            }, prefix + threads.size());
            t.setDaemon(true); // users do not have to close a DataParallel for the JVM to exit
            threads.add(t);
            return t;
        });
        pool.prestartAllCoreThreads();
        awaitUninterruptibly(configured);
        // set_num_threads also changes the default that threads made later start with; put the
        // caller's back so only the replica threads run with fewer.
        torch.set_num_threads(callerThreads);
        this.executor = pool;
    }

    /**
     * Runs {@code module.forward(inputs[i])} on thread i and returns the outputs in the caller's
     * memory scope. Each replica's forward runs in a scope of its own, closed when it returns:
     * the activations backward needs are held by the autograd graph, not by those handles.
     */
    Tensor[] forward(Module module, Tensor[] inputs) {
        boolean grad = GradMode.is_enabled(); // thread-local in libtorch: hand the caller's on
        List<Future<Tensor>> futures = new ArrayList<>(inputs.length);
        for (Tensor input : inputs) {
            futures.add(executor.submit(() -> {
                GradMode.set_enabled(grad);
                try (MemoryScope scope = MemoryScope.open()) {
                    return module.forward(input).keep();
                }
            }));
        }
        Tensor[] outputs = new Tensor[inputs.length];
        RuntimeException failure = null;
        for (int i = 0; i < outputs.length; i++) {
            try {
                Tensor kept = getUninterruptibly(futures.get(i));
                // A new handle made here belongs to the caller's scope; the replica's is dropped.
                outputs[i] = Tensor.wrap(new org.bytedeco.pytorch.Tensor(kept.unwrap()));
                kept.unwrap().close();
            } catch (ExecutionException e) {
                if (failure == null) {
                    failure = asRuntime(e.getCause());
                }
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

    private static <T> T getUninterruptibly(Future<T> f) throws ExecutionException {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return f.get();
                } catch (InterruptedException e) {
                    interrupted = true; // the replicas are mid-step: finish it, then report
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        boolean interrupted = false;
        while (true) {
            try {
                latch.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops the threads and waits until they have ended. */
    @Override
    public void close() {
        executor.shutdown();
        for (Thread t : threads) {
            boolean interrupted = false;
            while (t.isAlive()) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
