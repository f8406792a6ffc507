package dev.lockstep.launcher;

import dev.lockstep.parallel.dist.ProcessGroupOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What {@code lockstep run} starts, as torchrun's launch config: immutable, parsed once from the
 * command line, every flag also readable from the environment (the flag wins).
 *
 * <pre>
 * lockstep run --nproc-per-node N [--nnodes M --node-rank R --master-addr A --master-port P]
 *              [--timeout S] [--max-restarts K] [--rdzv-token T] -- &lt;train args&gt;
 * </pre>
 *
 * @param nprocPerNode   workers on this node ({@code LOCKSTEP_NPROC_PER_NODE})
 * @param nnodes         nodes in the job ({@code LOCKSTEP_NNODES}, 1)
 * @param nodeRank       this node, 0 .. nnodes-1 ({@code LOCKSTEP_NODE_RANK}, 0)
 * @param masterAddr     host of global rank 0 ({@code MASTER_ADDR}, 127.0.0.1)
 * @param masterPort     its rendezvous port ({@code MASTER_PORT}, 29500)
 * @param timeoutSeconds collective and rendezvous timeout passed to workers ({@code LOCKSTEP_TIMEOUT}, 300)
 * @param maxRestarts    times all workers are restarted after one fails ({@code LOCKSTEP_MAX_RESTARTS}, 0)
 * @param rdzvToken      the secret every process of the job must prove to join the rendezvous
 *                       ({@code LOCKSTEP_RDZV_TOKEN}; a fresh random one on a single node, where
 *                       this agent starts every worker; none given on several nodes: no check)
 * @param mainClass      the workers' main class
 * @param workerArgs     the workers' arguments
 */
public record LaunchConfig(int nprocPerNode, int nnodes, int nodeRank, String masterAddr, int masterPort,
                           int timeoutSeconds, int maxRestarts, String rdzvToken, String mainClass,
                           List<String> workerArgs) {

    /** The CLI entry point that every worker runs. */
    public static final String CLI_MAIN = "dev.lockstep.cli.Main";

    public LaunchConfig {
        Objects.requireNonNull(masterAddr, "masterAddr");
        Objects.requireNonNull(rdzvToken, "rdzvToken");
        Objects.requireNonNull(mainClass, "mainClass");
        workerArgs = List.copyOf(workerArgs);
        check(nprocPerNode >= 1, "--nproc-per-node must be >= 1, got " + nprocPerNode);
        check(nnodes >= 1, "--nnodes must be >= 1, got " + nnodes);
        check(nodeRank >= 0 && nodeRank < nnodes, "--node-rank must be in 0.." + (nnodes - 1) + ", got " + nodeRank);
        check(masterPort >= 1 && masterPort <= 65535, "--master-port must be in 1..65535, got " + masterPort);
        check(timeoutSeconds >= 1, "--timeout must be >= 1 second, got " + timeoutSeconds);
        check(maxRestarts >= 0, "--max-restarts must be >= 0, got " + maxRestarts);
    }

    public int worldSize() {
        return nprocPerNode * nnodes;
    }

    /**
     * Parses {@code run}'s arguments (without the word {@code run}); the workers get
     * {@code train <train args> --strategy ddp}.
     *
     * @throws IllegalArgumentException with a usage message
     */
    public static LaunchConfig parse(String[] args, Map<String, String> env) {
        Map<String, String> flags = new java.util.HashMap<>();
        List<String> train = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--")) {
                train.addAll(List.of(args).subList(i + 1, args.length));
                break;
            }
            String name;
            String value;
            if (a.startsWith("--") && a.contains("=")) {
                name = a.substring(2, a.indexOf('='));
                value = a.substring(a.indexOf('=') + 1);
            } else if (a.startsWith("--") && i + 1 < args.length) {
                name = a.substring(2);
                value = args[++i];
            } else {
                throw new IllegalArgumentException("unexpected argument '" + a + "'");
            }
            if (!List.of("nproc-per-node", "nnodes", "node-rank", "master-addr", "master-port", "timeout",
                    "max-restarts", "rdzv-token").contains(name)) {
                throw new IllegalArgumentException("unknown option --" + name);
            }
            flags.put(name, value);
        }
        String nproc = flags.getOrDefault("nproc-per-node", env.get("LOCKSTEP_NPROC_PER_NODE"));
        check(nproc != null, "--nproc-per-node is required");
        List<String> workerArgs = new ArrayList<>();
        workerArgs.add("train");
        workerArgs.addAll(train);
        workerArgs.add("--strategy");
        workerArgs.add("ddp");
        int nnodes = integer("nnodes", flags.getOrDefault("nnodes", env.getOrDefault("LOCKSTEP_NNODES", "1")));
        String token = flags.getOrDefault("rdzv-token", env.getOrDefault("LOCKSTEP_RDZV_TOKEN", ""));
        return new LaunchConfig(
                integer("nproc-per-node", nproc),
                nnodes,
                integer("node-rank", flags.getOrDefault("node-rank", env.getOrDefault("LOCKSTEP_NODE_RANK", "0"))),
                flags.getOrDefault("master-addr", env.getOrDefault("MASTER_ADDR", "127.0.0.1")),
                integer("master-port", flags.getOrDefault("master-port", env.getOrDefault("MASTER_PORT", "29500"))),
                integer("timeout", flags.getOrDefault("timeout", env.getOrDefault("LOCKSTEP_TIMEOUT", "300"))),
                integer("max-restarts", flags.getOrDefault("max-restarts", env.getOrDefault("LOCKSTEP_MAX_RESTARTS", "0"))),
                token.isEmpty() && nnodes == 1 ? ProcessGroupOptions.newToken() : token,
                CLI_MAIN, workerArgs);
    }

    /** The token stays out of logs. */
    @Override
    public String toString() {
        return "LaunchConfig[nprocPerNode=" + nprocPerNode + ", nnodes=" + nnodes + ", nodeRank=" + nodeRank
                + ", master=" + masterAddr + ":" + masterPort + ", timeoutSeconds=" + timeoutSeconds
                + ", maxRestarts=" + maxRestarts + ", rdzvToken=" + (rdzvToken.isEmpty() ? "none" : "set")
                + ", mainClass=" + mainClass + ", workerArgs=" + workerArgs + "]";
    }

    public static String usage() {
        return "usage: lockstep run --nproc-per-node N [--nnodes M --node-rank R --master-addr A --master-port P]"
                + " [--timeout S] [--max-restarts K] [--rdzv-token T] -- <train args>";
    }

    private static int integer(String flag, String value) {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + flag + " must be an integer, got '" + value + "'");
        }
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
