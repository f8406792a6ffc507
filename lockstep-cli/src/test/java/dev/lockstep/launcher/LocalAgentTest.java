package dev.lockstep.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.parallel.dist.ProcessGroupOptions;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class LocalAgentTest {

    private static LaunchConfig config(int nproc, int nnodes, int nodeRank, int port, String... args) {
        return new LaunchConfig(nproc, nnodes, nodeRank, "127.0.0.1", port, 60, 0, "job-secret", EchoWorker.class.getName(),
                List.of(args));
    }

    /** Runs an agent, capturing what it prints. */
    private record Run(RunResult result, String out, String err) {
        static Run of(LaunchConfig config) throws InterruptedException {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            RunResult r = new LocalAgent(config, new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8)).run();
            return new Run(r, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        }
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void prefixesEveryLineWithTheRankAndSetsTheEnvironment() throws Exception {
        Run run = Run.of(config(2, 1, 0, 29400, "echo"));
        assertTrue(run.result().isSuccess(), run.err());
        int threads = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
        for (int r = 0; r < 2; r++) {
            assertTrue(run.out().contains("[rank " + r + "] hello world=2 local=" + r + " threads=" + threads
                    + " timeout=60"), run.out());
            assertTrue(run.err().contains("[rank " + r + "] to stderr"), run.err());
        }
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void oneFailingWorkerStopsTheOthersAndIsNamed() throws Exception {
        long start = System.nanoTime();
        Run run = Run.of(config(3, 1, 0, 29400, "fail", "1"));
        assertEquals(WorkerState.FAILED, run.result().state());
        assertEquals(1, run.result().failedRank());
        assertEquals(5, run.result().exitCode());
        assertTrue(run.result().summary().contains("rank 1 failed with exit code 5"), run.result().summary());
        assertTrue(run.result().summary().contains("boom: simulated failure"), run.result().summary());
        assertTrue(Duration.ofNanos(System.nanoTime() - start).toSeconds() < 120, "healthy workers were not stopped");
    }

    /** An agent in a process of its own, for {@link #terminatingTheAgentStopsItsWorkers}. */
    public static final class AgentMain {
        public static void main(String[] args) throws InterruptedException {
            new LocalAgent(config(2, 1, 0, ProcessGroupOptions.freePort(), "sleep"), System.out, System.err).run();
        }
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void terminatingTheAgentStopsItsWorkers() throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process agent = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), AgentMain.class.getName())
                .redirectErrorStream(true).start();
        List<ProcessHandle> workers = new ArrayList<>();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(agent.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; workers.size() < 2 && (line = lines.readLine()) != null; ) {
                int at = line.indexOf("pid=");
                if (at >= 0) {
                    workers.add(ProcessHandle.of(Long.parseLong(line.substring(at + 4).strip())).orElseThrow());
                }
            }
            assertEquals(2, workers.size(), "both workers started");
            agent.destroy(); // SIGTERM, as a scheduler or kill sends it
            assertTrue(agent.waitFor(2, TimeUnit.MINUTES), "the agent ended");
        } finally {
            agent.destroyForcibly();
        }
        for (ProcessHandle w : workers) {
            w.onExit().get(2, TimeUnit.MINUTES);
            assertFalse(w.isAlive(), "worker " + w.pid() + " outlived its agent");
        }
    }

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void twoNodesOnLoopbackFormOneJob() throws Exception {
        int port = ProcessGroupOptions.freePort();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<Run> node0 = pool.submit(() -> Run.of(config(2, 2, 0, port, "allreduce")));
            Future<Run> node1 = pool.submit(() -> Run.of(config(2, 2, 1, port, "allreduce")));
            for (Run run : List.of(node0.get(3, TimeUnit.MINUTES), node1.get(3, TimeUnit.MINUTES))) {
                assertTrue(run.result().isSuccess(), run.result().summary() + "\n" + run.out() + run.err());
                assertTrue(run.out().contains("sum=6.0"), run.out()); // ranks 0+1+2+3
            }
            assertTrue(node1.get().out().contains("[rank 3] sum=6.0"), node1.get().out());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void parsesFlagsEnvironmentAndTrainArguments() {
        LaunchConfig c = LaunchConfig.parse(new String[] {"--nproc-per-node", "4", "--master-port=1234", "--",
                "--epochs", "1"}, Map.of("LOCKSTEP_NNODES", "2", "LOCKSTEP_NODE_RANK", "1", "MASTER_PORT", "99"));
        assertEquals(4, c.nprocPerNode());
        assertEquals(2, c.nnodes());
        assertEquals(1, c.nodeRank());
        assertEquals(1234, c.masterPort());
        assertEquals(8, c.worldSize());
        assertEquals(List.of("train", "--epochs", "1", "--strategy", "ddp"), c.workerArgs());
        assertEquals(LaunchConfig.CLI_MAIN, c.mainClass());
    }

    @Test
    void aSingleNodeJobGetsAFreshTokenAndSeveralNodesShareTheirs() {
        String[] one = {"--nproc-per-node", "2"};
        LaunchConfig a = LaunchConfig.parse(one, Map.of());
        LaunchConfig b = LaunchConfig.parse(one, Map.of());
        assertTrue(a.rdzvToken().matches("[0-9a-f]{64}"), a.rdzvToken());
        assertNotEquals(a.rdzvToken(), b.rdzvToken());
        assertFalse(a.toString().contains(a.rdzvToken()), "the token must stay out of logs");

        String[] two = {"--nproc-per-node", "2", "--nnodes", "2"};
        assertEquals("", LaunchConfig.parse(two, Map.of()).rdzvToken());
        assertEquals("s3", LaunchConfig.parse(two, Map.of("LOCKSTEP_RDZV_TOKEN", "s3")).rdzvToken());
        String[] flagged = {"--nproc-per-node", "2", "--nnodes", "2", "--rdzv-token", "flag"};
        assertEquals("flag", LaunchConfig.parse(flagged, Map.of("LOCKSTEP_RDZV_TOKEN", "s3")).rdzvToken());
    }

    @Test
    void badUsageExitsWithTwo() {
        assertEquals(2, RunCommand.run(new String[] {"--nnodes", "1"}));
        assertEquals(2, RunCommand.run(new String[] {"--nproc-per-node", "x"}));
        assertEquals(2, RunCommand.run(new String[] {"--nproc-per-node", "2", "--node-rank", "3"}));
        assertEquals(2, RunCommand.run(new String[] {"--bogus", "1"}));
    }
}
