package dev.lockstep.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.tensor.DType;
import dev.lockstep.tensor.Tensor;
import dev.lockstep.tensor.Torch;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ModuleTest {

    /** A user-style model: named children, as in the Module javadoc. */
    static final class Net extends Module {
        final Linear fc1 = registerModule("fc1", new Linear(4, 3));
        final BatchNorm1d bn = registerModule("bn", new BatchNorm1d(3));
        final Dropout drop = registerModule("drop", new Dropout(0.5));
        final Linear fc2 = registerModule("fc2", new Linear(3, 2, false));

        @Override
        public Tensor forward(Tensor x) {
            return fc2.forward(drop.forward(F.relu(bn.forward(fc1.forward(x)))));
        }
    }

    @BeforeEach
    void seed() {
        Torch.manualSeed(1);
    }

    @Test
    void namesParametersAndBuffersWithDots() {
        Net net = new Net();
        assertEquals(List.of("fc1.weight", "fc1.bias", "bn.weight", "bn.bias", "fc2.weight"),
                List.copyOf(net.namedParameters().keySet()));
        assertEquals(List.of("bn.running_mean", "bn.running_var", "bn.num_batches_tracked"),
                List.copyOf(net.namedBuffers().keySet()));
        assertSame(net.fc1.bias, net.namedParameters().get("fc1.bias"));

        Sequential seq = new Sequential(new Linear(2, 2), new ReLU(), new Sequential(new BatchNorm1d(2)));
        assertEquals(List.of("0.weight", "0.bias", "2.0.weight", "2.0.bias"), List.copyOf(seq.namedParameters().keySet()));
        assertEquals(List.of("2.0.running_mean", "2.0.running_var", "2.0.num_batches_tracked"),
                List.copyOf(seq.namedBuffers().keySet()));
    }

    @Test
    void aTiedLayerIsOneParameterSetButKeepsEveryNameInTheStateDict() {
        Linear shared = new Linear(2, 2);
        Sequential tied = new Sequential(shared, new ReLU(), shared);
        assertEquals(List.of("0.weight", "0.bias"), List.copyOf(tied.namedParameters().keySet()));
        assertEquals(List.of("0.weight", "0.bias", "2.weight", "2.bias"), List.copyOf(tied.stateDict().keySet()));

        float before = shared.weight.toFloatArray()[0];
        tied.forward(Tensor.ones(1, 2)).sum().backward();
        float step = 0.5f * shared.weight.grad().toFloatArray()[0];
        new dev.lockstep.optim.SGD(tied.parameters(), 0.5).step();
        assertEquals(before - step, shared.weight.toFloatArray()[0], 1e-6f, "one update, not one per name");
    }

    @Test
    void toMovesGradientsWithTheirParameters() {
        Linear layer = new Linear(2, 1);
        layer.forward(Tensor.ones(3, 2)).sum().backward();
        layer.to(DType.FLOAT64);
        assertEquals(DType.FLOAT64, layer.weight.grad().dtype());
        layer.forward(Tensor.ones(DType.FLOAT64, 3, 2)).sum().backward(); // accumulates into the cast gradient
        assertArrayEquals(new double[] {6, 6}, layer.weight.grad().toDoubleArray(), 1e-12);
    }

    @Test
    void stateDictRoundTripCopiesValues() {
        Net source = new Net();
        Net target = new Net(); // different random init
        source.bn.forward(Tensor.randn(5, 3)); // non-default buffers, count 1
        target.loadStateDict(source.stateDict());
        source.stateDict().forEach((name, t) ->
                assertEquals(0.0, target.stateDict().get(name).maxRelativeDifference(t), name));
        assertEquals(1, target.bn.numBatchesTracked.itemLong());

        source.eval();
        target.eval();
        Tensor x = Tensor.randn(2, 4);
        assertArrayEquals(source.forward(x).toFloatArray(), target.forward(x).toFloatArray());

        // Values are copied, not shared: later changes to the source do not leak into the target.
        source.fc1.weight.detach().fillInPlace(7);
        assertTrue(target.fc1.weight.max().item() <= 0.5); // the init bound 1/sqrt(4)
    }

    @Test
    void loadStateDictListsEveryProblemAndChangesNothing() {
        Net net = new Net();
        float[] before = net.fc1.weight.toFloatArray();
        Map<String, Tensor> state = new LinkedHashMap<>(new Net().stateDict());
        state.remove("fc2.weight");
        state.put("fc1.bias", Tensor.zeros(5));
        state.put("fc3.weight", Tensor.zeros(1));

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> net.loadStateDict(state));
        assertTrue(e.getMessage().contains("missing key 'fc2.weight'"), e.getMessage());
        assertTrue(e.getMessage().contains("unexpected key 'fc3.weight'"), e.getMessage());
        assertTrue(e.getMessage().contains("'fc1.bias' has shape [5], expected [3]"), e.getMessage());
        assertArrayEquals(before, net.fc1.weight.toFloatArray());
    }

    @Test
    void modulesListsEveryDescendantDepthFirstFromItself() {
        Net net = new Net();
        Dropout last = new Dropout(0.1);
        Sequential inner = new Sequential(last);
        Sequential outer = new Sequential(net, inner);
        assertEquals(List.of(outer, net, net.fc1, net.bn, net.drop, net.fc2, inner, last), outer.modules());
        assertEquals(List.of(last), last.modules());
    }

    @Test
    void trainAndEvalPropagateToDescendants() {
        Net net = new Net();
        Sequential outer = new Sequential(net, new Sequential(new Dropout(0.1)));
        Module inner = outer.children().get("1").children().get("0");
        assertTrue(inner.isTraining());
        outer.eval();
        assertFalse(outer.isTraining());
        assertFalse(net.bn.isTraining());
        assertFalse(net.drop.isTraining());
        assertFalse(inner.isTraining());
        outer.train();
        assertTrue(net.fc2.isTraining());
        assertTrue(inner.isTraining());
    }

    @Test
    void trainAndEvalReachAChildsOwnOverride() {
        class Wrapper extends Module {
            final Module inner = new Dropout(0.5); // not registered: the wrapper passes the mode on itself

            @Override
            public Module train() {
                inner.train();
                return super.train();
            }

            @Override
            public Module eval() {
                inner.eval();
                return super.eval();
            }

            @Override
            public Tensor forward(Tensor x) {
                return inner.forward(x);
            }
        }
        Wrapper wrapper = new Wrapper();
        Sequential outer = new Sequential(wrapper);
        outer.eval();
        assertFalse(wrapper.inner.isTraining());
        outer.train();
        assertTrue(wrapper.inner.isTraining());
    }

    @Test
    void rejectsDuplicateAndDottedNames() {
        class Twice extends Module {
            Twice(String second) {
                registerModule("a", new ReLU());
                registerParameter(second, Tensor.zeros(1));
            }

            @Override
            public Tensor forward(Tensor x) {
                return x;
            }
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Twice("a"));
        assertTrue(e.getMessage().contains("'a' is already registered"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Twice("b.c"));
        assertThrows(IllegalArgumentException.class, () -> new Twice(""));
    }

    @Test
    void defaultInitIsUniformWithinInverseSqrtFanIn() {
        Sequential net = new Sequential(new Linear(50, 20), new Conv2d(3, 8, 5), new Linear(7, 4));
        long[] fanIns = {50, 3 * 5 * 5, 7};
        for (int i = 0; i < fanIns.length; i++) {
            double bound = 1 / Math.sqrt(fanIns[i]);
            for (String p : List.of("weight", "bias")) {
                Tensor t = net.namedParameters().get(i + "." + p);
                String name = i + "." + p;
                assertTrue(t.abs().max().item() <= bound, name + " exceeds " + bound);
                if (t.numel() >= 20) { // a spread-out draw, not zeros or a constant (fails by chance with p < 0.01)
                    assertTrue(t.max().item() > bound / 2 && t.min().item() < -bound / 2, name + " not spread over the range");
                }
            }
        }
    }

    @Test
    void toDtypeCastsFloatingStateOnlyAndKeepsIdentity() {
        Net net = new Net();
        Tensor weight = net.fc1.weight;
        float[] before = weight.toFloatArray();
        net.to(DType.FLOAT64);
        assertSame(weight, net.namedParameters().get("fc1.weight"));
        assertEquals(DType.FLOAT64, weight.dtype());
        assertTrue(weight.requiresGrad());
        assertEquals(DType.FLOAT64, net.bn.runningVar.dtype());
        assertEquals(DType.INT64, net.bn.numBatchesTracked.dtype());
        double[] after = weight.toDoubleArray();
        for (int i = 0; i < before.length; i++) {
            assertEquals(before[i], after[i]);
        }
        assertEquals(DType.FLOAT64, net.forward(Tensor.randn(DType.FLOAT64, 2, 4)).dtype());
        assertThrows(IllegalArgumentException.class, () -> net.to(DType.INT64));
    }
}
