package dev.lockstep.tensor;

import java.util.logging.Logger;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.openblas.global.openblas_full;
import org.bytedeco.pytorch.global.torch;

/**
 * The libtorch runtime: loading, seeding, threads and devices. The only process-wide state in
 * Lockstep is libtorch's own (its generator and thread pool).
 */
public final class Torch {
    private static final Logger LOG = Logger.getLogger(Torch.class.getName());
    private static volatile boolean loaded;
    /** Intra-op threads to set while loading, before any thread can use libtorch; 0: its default. */
    private static volatile int threadsAtLoad;

    private Torch() {
    }

    /**
     * Loads the natives once and fixes the thread setup: OpenBLAS starts with one thread so its pool
     * does not fight libtorch's OpenMP pool (10x slower MLP training when they do, with OpenMP's
     * threads spinning); {@link #setBlasThreads} gives it more.
     */
    static void ensureLoaded() {
        if (loaded) {
            return;
        }
        synchronized (Torch.class) {
            if (loaded) {
                return;
            }
            leaveNativeMemoryToScopes();
            skipGpuPreloadsWithoutGpuNatives(Torch.class.getClassLoader());
            Loader.load(torch.class);
            Loader.load(openblas_full.class);
            openblas_full.openblas_set_num_threads(1);
            if (threadsAtLoad > 0) {
                torch.set_num_threads(threadsAtLoad); // threads that start using libtorch take this count
            }
            loaded = true;
            warnIfSlowEnvironment();
        }
    }

    /** JavaCPP's system property (also read in camel case) capping the process's RSS. */
    static final String MAX_PHYSICAL_BYTES = "org.bytedeco.javacpp.maxphysicalbytes";

    /**
     * By default JavaCPP reads the process's RSS from {@code /proc/self/statm} each time it makes a
     * native object, one system call each: 1.6-2.6 % of an MLP epoch here (BENCHMARKS.md, "Native
     * memory"). While the RSS is above its cap (four times the Java heap's maximum unless set),
     * each object made waits on {@code System.gc()} and 100 ms sleeps, up to ten times, then throws
     * {@code OutOfMemoryError}. Lockstep frees native memory by scope, not by the GC, so unless the
     * user set a cap (in either spelling) there is none; the GC still frees handles left
     * unreachable. Set before JavaCPP's {@code Pointer} class initialises, which reads it once.
     */
    static void leaveNativeMemoryToScopes() {
        if (System.getProperty(MAX_PHYSICAL_BYTES) == null && System.getProperty("org.bytedeco.javacpp.maxPhysicalBytes") == null) {
            System.setProperty(MAX_PHYSICAL_BYTES, "0");
        }
    }

    /** JavaCPP's system property naming the natives' platform extension ({@code -gpu}). */
    static final String PLATFORM_EXTENSION = "org.bytedeco.javacpp.platform.extension";

    /**
     * With no extension named, JavaCPP tries every library the presets' {@code -gpu} build would
     * preload (CUDA, cuDNN, NCCL: some 25), even when only the CPU natives are on the class path.
     * Each failed search cost 10-15 ms, and a CUDA runtime found on the machine was loaded for
     * nothing: libtorch took 1.3-1.5 s to load instead of 1.05 s (BENCHMARKS.md, "Start-up").
     * So unless the user chose an extension, none is used where the GPU natives are absent.
     */
    static void skipGpuPreloadsWithoutGpuNatives(ClassLoader loader) {
        if (System.getProperty(PLATFORM_EXTENSION) == null && !hasGpuNatives(loader)) {
            System.setProperty(PLATFORM_EXTENSION, "");
            Loader.loadProperties(true); // in case JavaCPP read its platform properties already
        }
    }

    /** Whether {@code loader} sees the presets' {@code -gpu} natives for this platform. */
    static boolean hasGpuNatives(ClassLoader loader) {
        String jni = "org/bytedeco/pytorch/" + Loader.getPlatform() + "-gpu/" + System.mapLibraryName("jnitorch");
        return loader.getResource(jni) != null;
    }

    private static void warnIfSlowEnvironment() {
        if (!"passive".equalsIgnoreCase(System.getenv("OMP_WAIT_POLICY"))) {
            LOG.warning("OMP_WAIT_POLICY is not 'passive': libtorch's OpenMP threads will spin and"
                    + " training can be several times slower. Start the JVM with"
                    + " OMP_WAIT_POLICY=passive (the lockstep command does this for you).");
        }
    }

    /** {@code torch.manual_seed}: seeds libtorch's default generator (initialisation, dropout). */
    public static void manualSeed(long seed) {
        ensureLoaded();
        torch.manual_seed(seed);
    }

    /**
     * {@code torch.get_rng_state()}: a copy of the default CPU generator's state (a uint8 tensor),
     * so that a resumed run draws the same dropout masks as an uninterrupted one.
     */
    public static Tensor rngState() {
        ensureLoaded();
        return Tensor.wrap(torch.getDefaultCPUGenerator().get_state());
    }

    /** {@code torch.set_rng_state}: restores a state taken with {@link #rngState()}. */
    public static void setRngState(Tensor state) {
        ensureLoaded();
        torch.getDefaultCPUGenerator().set_state(state.unwrap());
    }

    /**
     * Starts loading libtorch on a background thread and returns at once, so that work needing no
     * libtorch (decoding data files) overlaps the second or so the natives take to load; the first
     * call that needs libtorch waits for it. {@code threads} is set as {@link #setNumThreads} would,
     * before any thread can use libtorch, so every thread that starts using it later takes that count.
     */
    public static void loadInBackground(int threads) {
        if (threads <= 0) {
            throw new IllegalArgumentException("threads must be > 0, got " + threads);
        }
        threadsAtLoad = threads;
        if (loaded) {
            setNumThreads(threads);
            return;
        }
        Thread loader = new Thread(() -> {
            try {
                setNumThreads(threads);
            } catch (RuntimeException | LinkageError e) {
                // not reported here: the caller's first use of libtorch loads it again and throws
            }
        }, "lockstep-libtorch-loader");
        loader.setDaemon(true);
        loader.start();
    }

    /** {@code torch.set_num_threads}: libtorch's intra-op threads for this process. */
    public static void setNumThreads(int threads) {
        if (threads <= 0) {
            throw new IllegalArgumentException("threads must be > 0, got " + threads);
        }
        ensureLoaded();
        torch.set_num_threads(threads);
    }

    public static int numThreads() {
        ensureLoaded();
        return torch.get_num_threads();
    }

    /**
     * Threads of OpenBLAS's own pool, which runs libtorch's CPU matrix products. libtorch calls them
     * outside its OpenMP regions, so a product uses one core unless the pool has more threads
     * (PyTorch's MKL follows {@code torch.set_num_threads}; OpenBLAS here does not). Process-wide.
     */
    public static void setBlasThreads(int threads) {
        if (threads <= 0) {
            throw new IllegalArgumentException("BLAS threads must be > 0, got " + threads);
        }
        ensureLoaded();
        openblas_full.openblas_set_num_threads(threads);
    }

    public static int blasThreads() {
        ensureLoaded();
        return openblas_full.openblas_get_num_threads();
    }

    /** {@code torch.get_num_interop_threads}: threads running independent operators concurrently. */
    public static int numInteropThreads() {
        ensureLoaded();
        return (int) torch.get_num_interop_threads();
    }

    /** libtorch's thread and parallel-backend report, as {@code torch.__config__.parallel_info()}. */
    public static String parallelInfo() {
        ensureLoaded();
        return torch.get_parallel_info().getString();
    }

    public static boolean cudaAvailable() {
        ensureLoaded();
        return torch.cuda_is_available();
    }

    public static int cudaDeviceCount() {
        ensureLoaded();
        return torch.cuda_is_available() ? torch.cuda_device_count() : 0;
    }

    /** libtorch's build configuration, as {@code torch.__config__.show()} prints it. */
    public static String buildConfig() {
        ensureLoaded();
        return torch.show_config().getString();
    }
}
