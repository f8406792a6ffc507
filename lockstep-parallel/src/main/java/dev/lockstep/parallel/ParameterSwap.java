package dev.lockstep.parallel;

import dev.lockstep.nn.Module;
import dev.lockstep.tensor.Tensor;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Runs a module with stand-ins for its parameters and buffers, as PyTorch's
 * {@code functional_call}: how a module on one device runs as a replica on another.
 *
 * <p>Every {@link Tensor} the module registered is a handle; for the duration of the call each
 * handle is pointed at {@code copy.apply(original)} and afterwards back at the original. The
 * module's fields keep referring to the same {@code Tensor} objects, so any user-written module
 * works unchanged. Copies made with autograd on ({@code param.to(device)}) link back to the
 * originals, so backward sums the replicas' gradients into the original parameters; in-place
 * updates of buffers (running statistics) land on the copies and are dropped, as in PyTorch.
 *
 * <p>Not thread-safe: while the call runs, every user of {@code module} sees the stand-ins.
 */
final class ParameterSwap {

    private ParameterSwap() {
    }

    static Tensor forward(Module module, UnaryOperator<Tensor> copy, Tensor input) {
        // distinct(): a tensor registered twice (tied weights) is swapped once.
        List<Tensor> state = module.stateDict().values().stream().distinct().toList();
        org.bytedeco.pytorch.Tensor[] originals = new org.bytedeco.pytorch.Tensor[state.size()];
        for (int i = 0; i < originals.length; i++) {
            originals[i] = new org.bytedeco.pytorch.Tensor(state.get(i).unwrap());
        }
        try {
            for (Tensor t : state) {
                t.unwrap().put(copy.apply(t).unwrap());
            }
            return module.forward(input);
        } finally {
            for (int i = 0; i < originals.length; i++) {
                state.get(i).unwrap().put(originals[i]);
                originals[i].close();
            }
        }
    }
}
