package dev.lockstep.optim;

import dev.lockstep.tensor.Device;
import dev.lockstep.tensor.MemoryScope;
import dev.lockstep.tensor.Tensor;
import java.util.List;
import org.bytedeco.pytorch.Dispatcher;
import org.bytedeco.pytorch.GenericList;
import org.bytedeco.pytorch.IValue;
import org.bytedeco.pytorch.IValueVector;
import org.bytedeco.pytorch.OperatorHandle;
import org.bytedeco.pytorch.TensorType;
import org.bytedeco.pytorch.Type;

/**
 * libtorch's fused Adam kernels ({@code torch._fused_adam_} and {@code torch._fused_adamw_}, what
 * {@code torch.optim.Adam(fused=True)} calls): one pass over each parameter instead of seven
 * separate element-wise ops. The presets bind no Java method for them, so they are called
 * through the dispatcher with a boxed argument stack.
 */
final class FusedAdam {
    private FusedAdam() {
    }

    /** Looked up on first use, when libtorch is loaded; kept for the life of the process. */
    private static final class Ops {
        static final OperatorHandle ADAM = MemoryScope.pin(Dispatcher.singleton().findSchemaOrThrow("aten::_fused_adam_", ""));
        static final OperatorHandle ADAMW = MemoryScope.pin(Dispatcher.singleton().findSchemaOrThrow("aten::_fused_adamw_", ""));
        static final Type.TypePtr TENSOR = MemoryScope.pin(new Type.TypePtr(TensorType.get()));
    }

    /**
     * Whether the kernel can update {@code param}: on the CPU, and, as the kernel walks raw
     * buffers, with parameter and gradient contiguous (optimiser state is contiguous by
     * construction).
     */
    static boolean accepts(Tensor param, Tensor grad) {
        return param.device().equals(Device.CPU) && param.isContiguous() && grad.isContiguous();
    }

    /**
     * One Adam step over every parameter given, each one {@link #accepts accepted}. {@code steps} must already count
     * this step; the kernel reads them and leaves them unchanged, as PyTorch's fused Adam does.
     */
    static void step(boolean decoupledWeightDecay, List<Tensor> params, List<Tensor> grads, List<Tensor> expAvgs,
                     List<Tensor> expAvgSqs, List<Tensor> steps, double lr, double beta1, double beta2,
                     double weightDecay, double eps) {
        IValueVector stack = new IValueVector(
                tensors(params), tensors(grads), tensors(expAvgs), tensors(expAvgSqs),
                tensors(List.of()), // max_exp_avg_sqs: amsgrad is off
                tensors(steps),
                new IValue(lr), new IValue(beta1), new IValue(beta2), new IValue(weightDecay), new IValue(eps),
                new IValue(false), // amsgrad
                new IValue(false), // maximize
                new IValue(), // grad_scale
                new IValue()); // found_inf
        (decoupledWeightDecay ? Ops.ADAMW : Ops.ADAM).callBoxed(stack);
    }

    private static IValue tensors(List<Tensor> ts) {
        GenericList list = new GenericList(Ops.TENSOR);
        list.reserve(ts.size());
        for (Tensor t : ts) {
            list.push_back(new IValue(t.unwrap()));
        }
        return new IValue(list);
    }
}
