package dev.lockstep.parallel.dist;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;

/**
 * Where the job's rendezvous is and who this process is in it: the values torchrun (and
 * {@code lockstep run}) put in the environment.
 *
 * @param masterAddr     host of rank 0, which serves the rendezvous store ({@code MASTER_ADDR})
 * @param masterPort     the store's TCP port ({@code MASTER_PORT})
 * @param rank           this process, 0 .. worldSize-1 ({@code RANK})
 * @param worldSize      processes in the job ({@code WORLD_SIZE})
 * @param localRank      this process among those on its node ({@code LOCAL_RANK}); picks the GPU
 * @param localWorldSize processes on this node ({@code LOCAL_WORLD_SIZE})
 * @param timeout        how long rendezvous and each collective may wait before failing
 * @param backend        Gloo for CPU tensors, NCCL for CUDA
 * @param token          the job's shared secret ({@value #TOKEN_VARIABLE}): a process without it
 *                       cannot join or read the rendezvous store; empty admits any process, as
 *                       PyTorch's store does
 * @param bindAddress    where rank 0 listens ({@value #BIND_VARIABLE}); empty: {@code masterAddr}
 *                       itself, so a loopback master is not reachable from the network
 */
public record ProcessGroupOptions(String masterAddr, int masterPort, int rank, int worldSize,
                                  int localRank, int localWorldSize, Duration timeout, Backend backend,
                                  String token, String bindAddress) {

    /** PyTorch's default collective timeout for Gloo. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(5);

    /** Optional: the timeout in seconds, set by {@code lockstep run --timeout}. */
    public static final String TIMEOUT_VARIABLE = "LOCKSTEP_TIMEOUT";

    /** Optional: the rendezvous token, shared by every process of the job. */
    public static final String TOKEN_VARIABLE = "LOCKSTEP_RDZV_TOKEN";

    /** Optional: the address rank 0's rendezvous listens on, such as 0.0.0.0 for every interface. */
    public static final String BIND_VARIABLE = "LOCKSTEP_RDZV_BIND";

    public ProcessGroupOptions {
        Objects.requireNonNull(masterAddr, "masterAddr");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(bindAddress, "bindAddress");
        if (masterAddr.isBlank()) {
            throw new IllegalArgumentException("MASTER_ADDR must not be empty");
        }
        if (masterPort < 1 || masterPort > 65535) {
            throw new IllegalArgumentException("MASTER_PORT must be in 1..65535, got " + masterPort);
        }
        if (worldSize < 1) {
            throw new IllegalArgumentException("WORLD_SIZE must be >= 1, got " + worldSize);
        }
        if (rank < 0 || rank >= worldSize) {
            throw new IllegalArgumentException("RANK must be in 0.." + (worldSize - 1) + " (WORLD_SIZE="
                    + worldSize + "), got " + rank);
        }
        // Not capped by the world size here: a Spark task's local rank is the GPU ordinal Spark gave
        // it, which can exceed the job's size (rank 0 alone on GPU 3); the environment's is capped.
        if (localWorldSize < 1) {
            throw new IllegalArgumentException("LOCAL_WORLD_SIZE must be >= 1, got " + localWorldSize);
        }
        if (localRank < 0 || localRank >= localWorldSize) {
            throw new IllegalArgumentException("LOCAL_RANK must be in 0.." + (localWorldSize - 1)
                    + " (LOCAL_WORLD_SIZE=" + localWorldSize + "), got " + localRank);
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, got " + timeout);
        }
    }

    /** A fresh random token (256 bits, in hex) for a job whose launcher hands it to every process. */
    public static String newToken() {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        return HexFormat.of().formatHex(secret);
    }

    /**
     * A TCP port nobody listens on now, for a launcher choosing {@code MASTER_PORT}: rank 0 binds
     * it moments later (the race torchrun and TorchDistributor accept too).
     */
    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free TCP port for the rendezvous", e);
        }
    }

    /** One node, Gloo, the default timeout, no token. */
    public static ProcessGroupOptions of(String masterAddr, int masterPort, int rank, int worldSize) {
        return new ProcessGroupOptions(masterAddr, masterPort, rank, worldSize, rank, worldSize,
                DEFAULT_TIMEOUT, Backend.GLOO, "", "");
    }

    /** Reads this process's environment; see {@link #fromEnvironment(Map)}. */
    public static ProcessGroupOptions fromEnvironment() {
        return fromEnvironment(System.getenv());
    }

    /**
     * Reads {@code MASTER_ADDR}, {@code MASTER_PORT}, {@code RANK}, {@code WORLD_SIZE},
     * {@code LOCAL_RANK}, {@code LOCAL_WORLD_SIZE} and the optional {@value #TIMEOUT_VARIABLE}
     * (seconds), {@value #TOKEN_VARIABLE} and {@value #BIND_VARIABLE}. The backend is Gloo; use
     * {@link #withBackend} for CUDA.
     *
     * @throws IllegalArgumentException naming the variable that is missing or invalid
     */
    public static ProcessGroupOptions fromEnvironment(Map<String, String> env) {
        String addr = require(env, "MASTER_ADDR");
        Duration timeout = env.containsKey(TIMEOUT_VARIABLE)
                ? Duration.ofSeconds(integer(env, TIMEOUT_VARIABLE)) : DEFAULT_TIMEOUT;
        int worldSize = integer(env, "WORLD_SIZE");
        int localWorldSize = integer(env, "LOCAL_WORLD_SIZE");
        if (localWorldSize > worldSize) {
            throw new IllegalArgumentException("LOCAL_WORLD_SIZE must be in 1.." + worldSize
                    + " (WORLD_SIZE), got " + localWorldSize);
        }
        return new ProcessGroupOptions(addr, integer(env, "MASTER_PORT"), integer(env, "RANK"),
                worldSize, integer(env, "LOCAL_RANK"), localWorldSize,
                timeout, Backend.GLOO, env.getOrDefault(TOKEN_VARIABLE, ""), env.getOrDefault(BIND_VARIABLE, "").trim());
    }

    private static String require(Map<String, String> env, String name) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("environment variable " + name + " is not set; start"
                    + " distributed jobs with 'lockstep run' or set MASTER_ADDR, MASTER_PORT, RANK,"
                    + " WORLD_SIZE, LOCAL_RANK and LOCAL_WORLD_SIZE");
        }
        return value.trim();
    }

    private static int integer(Map<String, String> env, String name) {
        String value = require(env, name);
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("environment variable " + name + " must be an integer, got '"
                    + value + "'");
        }
    }

    public ProcessGroupOptions withTimeout(Duration timeout) {
        return new ProcessGroupOptions(masterAddr, masterPort, rank, worldSize, localRank, localWorldSize,
                timeout, backend, token, bindAddress);
    }

    public ProcessGroupOptions withBackend(Backend backend) {
        return new ProcessGroupOptions(masterAddr, masterPort, rank, worldSize, localRank, localWorldSize,
                timeout, backend, token, bindAddress);
    }

    public ProcessGroupOptions withToken(String token) {
        return new ProcessGroupOptions(masterAddr, masterPort, rank, worldSize, localRank, localWorldSize,
                timeout, backend, token, bindAddress);
    }

    /** The token stays out of logs and error messages. */
    @Override
    public String toString() {
        return "ProcessGroupOptions[master=" + masterAddr + ":" + masterPort + ", rank=" + rank + ", worldSize="
                + worldSize + ", localRank=" + localRank + ", localWorldSize=" + localWorldSize + ", timeout="
                + timeout + ", backend=" + backend + ", token=" + (token.isEmpty() ? "none" : "set")
                + ", bindAddress=" + (bindAddress.isEmpty() ? masterAddr : bindAddress) + "]";
    }
}
