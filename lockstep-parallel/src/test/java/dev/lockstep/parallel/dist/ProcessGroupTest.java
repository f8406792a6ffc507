package dev.lockstep.parallel.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.parallel.Workers;
import java.time.Duration;
import java.util.Map;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

class ProcessGroupTest {
    private static final Duration LIMIT = Duration.ofMinutes(3);

    @Test
    void collectivesAgreeAcrossThreeRanks() throws Exception {
        try (Workers w = Workers.job(CollectivesWorker.class, 3, "collectives")) {
            w.awaitSuccess(LIMIT);
            for (int r = 0; r < 3; r++) {
                Map<String, String> res = w.results(r);
                // rank r contributes {r+1, -(r+1), 10r}
                assertEquals("[6.0, -6.0, 30.0]", res.get("sum"));
                assertEquals("[2.0, -2.0, 10.0]", res.get("avg"));
                assertEquals("[3.0, -1.0, 20.0]", res.get("max"));
                assertEquals("[1.0, -3.0, 0.0]", res.get("min"));
                assertEquals("[2.0, 2.0, 2.0, 2.0]", res.get("broadcast"));
                assertEquals("[0, 0][1, 1][2, 4]", res.get("allgather"));
                // sum over ranks of (i + r) for i = 0..5 is 3i + 3; rank r keeps i = 2r, 2r+1
                assertEquals("[" + (6 * r + 3) + ".0, " + (6 * r + 6) + ".0]", res.get("reducescatter"));
            }
        }
    }

    @Test
    void survivorNamesThePeerThatDiedWithinSeconds() throws Exception {
        try (Workers w = Workers.job(CollectivesWorker.class, 2, "die")) {
            assertEquals(7, w.await(1, LIMIT));
            long start = System.nanoTime();
            assertEquals(3, w.await(0, LIMIT), w.outputs());
            String error = w.results(0).get("error");
            assertTrue(error.startsWith("rank 0: all-reduce(SUM) failed: rank 1 (pid "), error);
            assertTrue(Duration.ofNanos(System.nanoTime() - start).toSeconds() < 60);
        }
    }

    @Test
    void stuckPeerTimesOutWithClearError() throws Exception {
        try (Workers w = Workers.job(CollectivesWorker.class, 2, "stall", "3")) {
            assertEquals(3, w.await(0, LIMIT), w.outputs());
            String error = w.results(0).get("error");
            assertTrue(error.startsWith("rank 0: all-reduce(SUM) failed: no answer within PT3S"), error);
        }
    }

    @Test
    void missingRankIsNamedAfterTheTimeout() throws Exception {
        int port = ProcessGroupOptions.freePort();
        // WORLD_SIZE says 3 but only ranks 0 and 1 are started
        try (Workers w = Workers.start(CollectivesWorker.class, 2, r -> Workers.env(port, r, 3), "collectives", "3")) {
            assertEquals(3, w.await(0, LIMIT), w.outputs());
            assertTrue(w.results(0).get("error").contains("ranks [2] did not join within PT3S"), w.outputs());
        }
    }

    @Test
    void disagreeingWorldSizesFailFast() throws Exception {
        int port = ProcessGroupOptions.freePort();
        try (Workers w = Workers.start(CollectivesWorker.class, 2,
                r -> Workers.env(port, r, r == 0 ? 2 : 3), "collectives", "60")) {
            // Whichever rank reads the other's entry first names the mismatch; the other then
            // loses its peer. Both must fail, long before the 60 s timeout.
            assertNotEquals(0, w.await(0, LIMIT), w.outputs());
            assertNotEquals(0, w.await(1, LIMIT), w.outputs());
            assertTrue(w.outputs().contains("WORLD_SIZE mismatch: this rank has 3 but rank 0 has 2")
                    || w.outputs().contains("WORLD_SIZE mismatch: this rank has 2 but rank 1 has 3"), w.outputs());
        }
    }

    @Test
    void portInUseIsReportedByRankZero() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0)) {
            int port = taken.getLocalPort();
            try (Workers w = Workers.start(CollectivesWorker.class, 1, r -> Workers.env(port, 0, 1), "collectives", "5")) {
                assertNotEquals(0, w.await(0, LIMIT));
                assertTrue(w.results(0).get("error").contains("could not serve the rendezvous store on port " + port + " of 127.0.0.1"),
                        w.outputs());
            }
        }
    }

    @Test
    void glooSocketIfnameChoosesTheInterfaceAndAnUnknownOneIsReported() throws Exception {
        int port = ProcessGroupOptions.freePort();
        IntFunction<Map<String, String>> overLo = r -> withVariable(Workers.env(port, r, 2), "GLOO_SOCKET_IFNAME", "lo");
        try (Workers w = Workers.start(CollectivesWorker.class, 2, overLo, "collectives")) {
            w.awaitSuccess(LIMIT);
            assertEquals("[3.0, -3.0, 10.0]", w.results(1).get("sum"));
        }
        int other = ProcessGroupOptions.freePort();
        IntFunction<Map<String, String>> nowhere = r -> withVariable(Workers.env(other, 0, 1), "GLOO_SOCKET_IFNAME",
                "nosuchif0");
        try (Workers w = Workers.start(CollectivesWorker.class, 1, nowhere, "collectives", "30")) {
            assertEquals(3, w.await(0, LIMIT), w.outputs());
            assertTrue(w.results(0).get("error").contains("nosuchif0"), w.outputs());
        }
    }

    private static Map<String, String> withVariable(Map<String, String> env, String name, String value) {
        Map<String, String> out = new java.util.HashMap<>(env);
        out.put(name, value);
        return out;
    }

    @Test
    void unreachableMasterIsReported() throws Exception {
        int port = ProcessGroupOptions.freePort();
        try (Workers w = Workers.start(CollectivesWorker.class, 1, r -> Workers.env(port, 1, 2), "collectives", "3")) {
            assertEquals(3, w.await(0, LIMIT), w.outputs());
            assertTrue(w.results(0).get("error").startsWith("rank 1: could not reach the master at 127.0.0.1:" + port),
                    w.outputs());
        }
    }

    @Test
    void processesWithoutTheTokenAreRefusedAndTheJobIsUnharmed() throws Exception {
        int port = ProcessGroupOptions.freePort();
        IntFunction<Map<String, String>> member = r -> withToken(Workers.env(port, r, 2), "right");
        try (Workers rank0 = Workers.start(CollectivesWorker.class, 1, r -> member.apply(0), "collectives", "120")) {
            // Rank 0 now waits for rank 1. An impostor with the wrong token retries until rank 0
            // listens, then must be refused; a plain c10d client after it must not read the store.
            try (Workers impostor = Workers.start(CollectivesWorker.class, 1,
                    r -> withToken(Workers.env(port, 1, 2), "wrong"), "collectives", "120")) {
                assertEquals(3, impostor.await(0, LIMIT), impostor.outputs());
                assertTrue(impostor.results(0).get("error").startsWith("rank 1: rendezvous at 127.0.0.1:" + port
                        + " failed: the master refused this process's rendezvous token"), impostor.outputs());
            }
            try (Workers reader = Workers.start(CollectivesWorker.class, 1, r -> Workers.env(port, 1, 2),
                    "raw-store", "10")) {
                assertEquals(3, reader.await(0, LIMIT), reader.outputs());
            }
            try (Workers rank1 = Workers.start(CollectivesWorker.class, 1, r -> member.apply(1), "collectives", "120")) {
                rank1.awaitSuccess(LIMIT);
                rank0.awaitSuccess(LIMIT);
                assertEquals("[3.0, -3.0, 10.0]", rank0.results(0).get("sum"));
                assertEquals("[3.0, -3.0, 10.0]", rank1.results(0).get("sum"));
            }
            assertTrue(rank0.output(0).contains("refused a rendezvous connection from"), rank0.outputs());
        }
    }

    private static Map<String, String> withToken(Map<String, String> env, String token) {
        env.put(ProcessGroupOptions.TOKEN_VARIABLE, token);
        return env;
    }

    @Test
    void optionsNeverPrintTheToken() {
        ProcessGroupOptions o = ProcessGroupOptions.of("127.0.0.1", 1234, 0, 1).withToken("hunter2");
        assertFalse(o.toString().contains("hunter2"), o.toString());
        assertEquals("hunter2", o.token());
    }

    @Test
    void environmentIsValidatedVariableByVariable() {
        Map<String, String> env = Workers.env(29500, 0, 2);
        for (String name : env.keySet()) {
            Map<String, String> missing = new java.util.HashMap<>(env);
            missing.remove(name);
            var e = assertThrows(IllegalArgumentException.class, () -> ProcessGroupOptions.fromEnvironment(missing));
            assertTrue(e.getMessage().contains(name + " is not set"), e.getMessage());
        }
        Map<String, String> bad = new java.util.HashMap<>(env);
        bad.put("WORLD_SIZE", "two");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ProcessGroupOptions.fromEnvironment(bad))
                .getMessage().contains("WORLD_SIZE must be an integer"));
        bad.put("WORLD_SIZE", "2");
        bad.put("RANK", "2");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ProcessGroupOptions.fromEnvironment(bad))
                .getMessage().contains("RANK must be in 0..1 (WORLD_SIZE=2), got 2"));
        bad.put("RANK", "1");
        bad.put("LOCAL_WORLD_SIZE", "3");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ProcessGroupOptions.fromEnvironment(bad))
                .getMessage().contains("LOCAL_WORLD_SIZE must be in 1..2 (WORLD_SIZE), got 3"));
        // a Spark task's local rank is its GPU's ordinal, which may exceed the job's size
        assertEquals(3, new ProcessGroupOptions("127.0.0.1", 29500, 0, 1, 3, 4, Duration.ofMinutes(1), Backend.GLOO,
                "", "").localRank());
        Map<String, String> timed = new java.util.HashMap<>(env);
        timed.put(ProcessGroupOptions.TIMEOUT_VARIABLE, "42");
        assertEquals(Duration.ofSeconds(42), ProcessGroupOptions.fromEnvironment(timed).timeout());
        assertEquals(ProcessGroupOptions.DEFAULT_TIMEOUT, ProcessGroupOptions.fromEnvironment(env).timeout());
    }
}
