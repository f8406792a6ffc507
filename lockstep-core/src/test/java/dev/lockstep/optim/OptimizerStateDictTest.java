package dev.lockstep.optim;

import static dev.lockstep.optim.Reference.param;
import static dev.lockstep.optim.Reference.setGrads;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.io.Safetensors;
import dev.lockstep.tensor.DType;
import dev.lockstep.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class OptimizerStateDictTest {
    private static final int N = 4;
    private static final int M = 5;

    @TempDir
    Path dir;

    static Stream<Arguments> optimizers() {
        return Stream.of(
                Arguments.of("SGD nesterov", (Function<List<Tensor>, Optimizer>) ps -> new SGD(ps, 0.1, 0.9, 0.01, true)),
                Arguments.of("Adam", (Function<List<Tensor>, Optimizer>) ps -> new Adam(ps, 0.01, 0.9, 0.99, 1e-8, 0.01)),
                Arguments.of("AdamW", (Function<List<Tensor>, Optimizer>) ps -> new AdamW(ps, 0.01)));
    }

    /** Float32 parameters of two shapes, as a model's would be. */
    private static List<Tensor> params() {
        return List.of(
                Tensor.of(new float[] {0.5f, -1.5f, 2f, 0.25f, 1f, -3f}, 2, 3).requiresGrad(true),
                Tensor.of(new float[] {0.1f, 0.2f}, 2).requiresGrad(true));
    }

    private static List<Tensor> copies(List<Tensor> ps) {
        List<Tensor> out = new ArrayList<>();
        ps.forEach(p -> out.add(p.detach().clone().requiresGrad(true)));
        return out;
    }

    /** One epoch: two optimiser steps, then the scheduler. */
    private static void epoch(int e, List<Tensor> ps, Optimizer opt, LRScheduler sched) {
        for (int k = 0; k < 2; k++) {
            setGrads(ps, 2 * e + k);
            opt.step();
        }
        sched.step();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("optimizers")
    void resumesBitIdenticallyThroughASafetensorsCheckpoint(String name, Function<List<Tensor>, Optimizer> make)
            throws IOException {
        List<Tensor> straight = params();
        Optimizer straightOpt = make.apply(straight);
        LRScheduler straightSched = new StepLR(straightOpt, 3, 0.5);
        for (int e = 0; e < N + M; e++) {
            epoch(e, straight, straightOpt, straightSched);
        }

        List<Tensor> first = params();
        Optimizer firstOpt = make.apply(first);
        LRScheduler firstSched = new StepLR(firstOpt, 3, 0.5);
        for (int e = 0; e < N; e++) {
            epoch(e, first, firstOpt, firstSched);
        }
        Map<String, Tensor> checkpoint = new LinkedHashMap<>();
        firstOpt.stateDict().forEach((k, v) -> checkpoint.put("optimizer." + k, v));
        firstSched.stateDict().forEach((k, v) -> checkpoint.put("scheduler." + k, v));
        for (int i = 0; i < first.size(); i++) {
            checkpoint.put("model." + i, first.get(i));
        }
        Path file = dir.resolve("ckpt.safetensors");
        Safetensors.save(checkpoint, file);

        Map<String, Tensor> loaded = Safetensors.load(file);
        List<Tensor> resumed = params();
        for (int i = 0; i < resumed.size(); i++) {
            resumed.get(i).detach().copyFrom(loaded.get("model." + i));
        }
        Optimizer resumedOpt = make.apply(resumed);
        LRScheduler resumedSched = new StepLR(resumedOpt, 3, 0.5);
        resumedOpt.loadStateDict(withPrefix(loaded, "optimizer."));
        resumedSched.loadStateDict(withPrefix(loaded, "scheduler."));
        for (int e = N; e < N + M; e++) {
            epoch(e, resumed, resumedOpt, resumedSched);
        }

        for (int i = 0; i < straight.size(); i++) {
            assertArrayEquals(straight.get(i).toFloatArray(), resumed.get(i).toFloatArray(), "parameter " + i);
        }
        assertEquals(straightOpt.lr(), resumedOpt.lr());
        assertEquals(straightSched.lastEpoch(), resumedSched.lastEpoch());
        assertStateEquals(straightOpt.stateDict(), resumedOpt.stateDict());
    }

    private static Map<String, Tensor> withPrefix(Map<String, Tensor> all, String prefix) {
        Map<String, Tensor> out = new HashMap<>();
        all.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                out.put(k.substring(prefix.length()), v);
            }
        });
        return out;
    }

    private static void assertStateEquals(Map<String, Tensor> expected, Map<String, Tensor> actual) {
        assertEquals(expected.keySet(), actual.keySet());
        expected.forEach((k, v) -> {
            assertEquals(v.dtype(), actual.get(k).dtype(), k);
            assertArrayEquals(v.toDoubleArray(), actual.get(k).toDoubleArray(), k);
        });
    }

    @Test
    void stateDictIsASnapshotInPyTorchLayout() {
        List<Tensor> ps = List.of(param(1, 2));
        SGD sgd = new SGD(ps, 0.1, 0.9, 0, false);
        setGrads(ps, 0);
        sgd.step();
        Map<String, Tensor> state = sgd.stateDict();
        double[] buffer = state.get("state.0.momentum_buffer").toDoubleArray();
        setGrads(ps, 1);
        sgd.step();
        assertArrayEquals(buffer, state.get("state.0.momentum_buffer").toDoubleArray());
        assertEquals(List.of("state.0.momentum_buffer", "param_groups.0.lr", "param_groups.0.params",
                "param_groups.0.momentum", "param_groups.0.nesterov", "param_groups.0.weight_decay"),
                List.copyOf(state.keySet()));
        assertEquals(DType.FLOAT64, state.get("param_groups.0.lr").dtype());
        assertEquals(0, state.get("param_groups.0.lr").dim());
        assertArrayEquals(new long[] {0}, state.get("param_groups.0.params").toLongArray());
    }

    @Test
    void adamStepIsAnExactInt64Counter() {
        List<Tensor> ps = List.of(param(1, 2));
        Adam adam = new Adam(ps, 0.1);
        for (int k = 0; k < 3; k++) {
            setGrads(ps, k);
            adam.step();
        }
        Tensor step = adam.stateDict().get("state.0.step");
        assertEquals(DType.INT64, step.dtype());
        assertEquals(0, step.dim());
        assertEquals(3, step.itemLong());
    }

    @Test
    void loadingRestoresLearningRateAndCastsStateToTheParameter() {
        List<Tensor> ps = List.of(param(1, 2));
        Adam adam = new Adam(ps, 0.1);
        setGrads(ps, 0);
        adam.step();
        Map<String, Tensor> state = new HashMap<>(adam.stateDict());
        state.put("param_groups.0.lr", Tensor.full(0.025, DType.FLOAT64));
        state.put("state.0.step", Tensor.full(7, DType.FLOAT32)); // PyTorch keeps step as float32
        Adam other = new Adam(List.of(param(3, 4)), 0.1);
        other.loadStateDict(state);
        assertEquals(0.025, other.lr());
        Tensor step = other.stateDict().get("state.0.step");
        assertEquals(DType.INT64, step.dtype());
        assertEquals(7, step.itemLong());
    }

    @Test
    void rejectsStateThatDoesNotFitAndChangesNothing() {
        List<Tensor> ps = List.of(param(1, 2), param(3));
        SGD sgd = new SGD(ps, 0.1, 0.9, 0, false);
        setGrads(ps, 0);
        sgd.step();
        Map<String, Tensor> good = sgd.stateDict();

        Map<String, Tensor> bad = new HashMap<>(good);
        bad.remove("state.1.momentum_buffer");
        bad.put("state.0.momentum_buffer", Tensor.zeros(DType.FLOAT64, 3));
        bad.put("state.0.exp_avg", Tensor.zeros(DType.FLOAT64, 2));
        bad.put("state.2.momentum_buffer", Tensor.zeros(DType.FLOAT64, 1));
        bad.put("state.01.momentum_buffer", Tensor.zeros(DType.FLOAT64, 2));
        bad.put("param_groups.0.momentum", Tensor.full(0.5, DType.FLOAT64));
        bad.put("param_groups.0.betas", Tensor.zeros(DType.FLOAT64, 2));
        bad.remove("param_groups.0.lr");

        SGD fresh = new SGD(List.of(param(1, 2), param(3)), 0.2, 0.9, 0, false);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> fresh.loadStateDict(bad));
        for (String part : List.of("state dict does not fit SGD",
                "'state.0.momentum_buffer' has shape [3], expected [2]",
                "unexpected key 'state.0.exp_avg'",
                "unexpected key 'state.2.momentum_buffer'",
                "unexpected key 'state.01.momentum_buffer'",
                "unexpected key 'param_groups.0.betas'",
                "'param_groups.0.momentum' is 0.5 but this SGD has 0.9",
                "missing key 'param_groups.0.lr'")) {
            assertTrue(e.getMessage().contains(part), () -> "no '" + part + "' in: " + e.getMessage());
        }
        assertEquals(0.2, fresh.lr());
        assertEquals(List.of("param_groups.0.lr", "param_groups.0.params", "param_groups.0.momentum",
                "param_groups.0.nesterov", "param_groups.0.weight_decay"), List.copyOf(fresh.stateDict().keySet()));

        SGD oneParam = new SGD(List.of(param(1, 2)), 0.1, 0.9, 0, false);
        IllegalArgumentException count = assertThrows(IllegalArgumentException.class, () -> oneParam.loadStateDict(good));
        assertTrue(count.getMessage().contains(
                "'param_groups.0.params' is [0, 1], expected the indices of this SGD's 1 parameters"), count.getMessage());

        Adam adam = new Adam(ps, 0.1);
        IllegalArgumentException kind = assertThrows(IllegalArgumentException.class, () -> adam.loadStateDict(good));
        assertTrue(kind.getMessage().contains("missing key 'param_groups.0.betas'"), kind.getMessage());
    }

    @Test
    void adamAndAdamWStateDictsAreNotInterchangeable() {
        List<Tensor> ps = List.of(param(1));
        Map<String, Tensor> adamState = new Adam(ps, 0.1, 0.9, 0.999, 1e-8, 0.01).stateDict();
        AdamW adamW = new AdamW(ps, 0.1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> adamW.loadStateDict(adamState));
        assertTrue(e.getMessage().contains("'param_groups.0.decoupled_weight_decay' is 0.0 but this AdamW has 1.0"),
                e.getMessage());
    }
}
