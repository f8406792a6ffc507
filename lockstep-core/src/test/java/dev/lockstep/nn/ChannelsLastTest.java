package dev.lockstep.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.tensor.DType;
import dev.lockstep.tensor.MemoryFormat;
import dev.lockstep.tensor.Tensor;
import dev.lockstep.tensor.Torch;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Channels-last tensors: the same values, a layout the convolutions and pooling keep. */
class ChannelsLastTest {

    @Test
    void oneChannelGetsChannelsLastStridesAsAView() {
        Tensor x = Tensor.rand(DType.FLOAT32, 2, 1, 5, 5);
        assertFalse(x.isContiguous(MemoryFormat.CHANNELS_LAST), "libtorch reads one channel as contiguous");
        Tensor y = x.contiguous(MemoryFormat.CHANNELS_LAST);
        assertTrue(y.isContiguous(MemoryFormat.CHANNELS_LAST));
        assertArrayEquals(x.toFloatArray(), y.toFloatArray());
        x.fillInPlace(3);
        assertArrayEquals(x.toFloatArray(), y.toFloatArray(), "a view of the same elements");
        assertSame(y, y.contiguous(MemoryFormat.CHANNELS_LAST), "already channels-last: itself");
    }

    @Test
    void severalChannelsAreCopiedIntoChannelsLast() {
        Tensor x = Tensor.rand(DType.FLOAT32, 2, 3, 4, 5);
        Tensor y = x.contiguous(MemoryFormat.CHANNELS_LAST);
        assertTrue(y.isContiguous(MemoryFormat.CHANNELS_LAST));
        assertFalse(y.isContiguous());
        assertArrayEquals(x.toFloatArray(), y.toFloatArray());
        assertTrue(y.contiguous(MemoryFormat.CONTIGUOUS).isContiguous());
    }

    @Test
    void onlyFourDimensionalTensorsHaveChannels() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Tensor.zeros(2, 3).contiguous(MemoryFormat.CHANNELS_LAST));
        assertTrue(e.getMessage().contains("[2, 3]"), e.getMessage());
    }

    @Test
    void aConvolutionFedChannelsLastComputesAndPoolsInIt() {
        Torch.manualSeed(3);
        Conv2d conv = new Conv2d(1, 4, 3, 1, 1);
        Tensor x = Tensor.rand(DType.FLOAT32, 2, 1, 6, 6);
        Tensor expected = F.maxPool2d(F.relu(conv.forward(x)), 2, 2);
        Tensor pooled = F.maxPool2d(F.relu(conv.forward(x.contiguous(MemoryFormat.CHANNELS_LAST))), 2, 2);
        assertTrue(pooled.isContiguous(MemoryFormat.CHANNELS_LAST), "the layout flows through conv, relu and pooling");
        assertArrayEquals(expected.toFloatArray(), pooled.toFloatArray(), 1e-6f);
    }

    /** The seed CNN's path; flatten hands its gradient back channels-last, which must not change it. */
    @Test
    void gradientsAreTheSameInEitherLayout() {
        Net net = Net.seeded(4, 1);
        Tensor x = Tensor.rand(DType.FLOAT32, 3, 1, 6, 6);
        List<float[]> contiguous = net.gradients(x);
        assertSameGradients(contiguous, net.gradients(x.contiguous(MemoryFormat.CHANNELS_LAST)), 1e-6f);
    }

    /** As {@code model.to(memory_format=torch.channels_last)}: gradients then take the weights' layout. */
    @Test
    void aModuleLaysOutItsConvolutionWeightsChannelsLastInPlace() {
        Net net = Net.seeded(5, 3);
        Conv2d conv = net.conv();
        Tensor x = Tensor.rand(DType.FLOAT32, 2, 3, 6, 6);
        List<float[]> before = net.gradients(x);
        Tensor weight = conv.weight;
        float[] values = weight.toFloatArray();
        assertSame(conv, conv.to(MemoryFormat.CHANNELS_LAST));
        net.fc().to(MemoryFormat.CHANNELS_LAST);
        assertSame(weight, conv.weight, "the same parameter, so an optimiser built before still updates it");
        assertTrue(conv.weight.isContiguous(MemoryFormat.CHANNELS_LAST));
        assertFalse(conv.weight.isContiguous());
        assertArrayEquals(values, conv.weight.toFloatArray());
        assertTrue(net.fc().weight.isContiguous(), "two dimensions: left as it was");
        List<float[]> after = net.gradients(x.contiguous(MemoryFormat.CHANNELS_LAST));
        assertTrue(conv.weight.grad().isContiguous(MemoryFormat.CHANNELS_LAST), "the gradient in the weight's layout");
        assertSameGradients(before, after, 1e-5f);
    }

    private static void assertSameGradients(List<float[]> expected, List<float[]> actual, float tolerance) {
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(expected.get(i), actual.get(i), tolerance, "gradient " + i);
        }
    }

    /** A convolution into a linear layer through relu, pooling and flatten, as in the seed CNN. */
    private record Net(Conv2d conv, Linear fc) {
        static Net seeded(long seed, int inChannels) {
            Torch.manualSeed(seed);
            return new Net(new Conv2d(inChannels, 4, 3, 1, 1), new Linear(4 * 3 * 3, 5));
        }

        List<float[]> gradients(Tensor x) {
            List<Tensor> params = List.of(conv.weight, conv.bias, fc.weight, fc.bias);
            params.forEach(Tensor::clearGrad);
            Tensor out = fc.forward(F.maxPool2d(F.relu(conv.forward(x)), 2, 2).flatten(1, -1));
            out.mul(out).sum().backward();
            return params.stream().map(p -> p.grad().toFloatArray()).toList();
        }
    }
}
