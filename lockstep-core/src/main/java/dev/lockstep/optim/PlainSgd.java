package dev.lockstep.optim;

import dev.lockstep.tensor.Tensor;
import java.util.List;
import org.bytedeco.pytorch.OptimizerOptions;
import org.bytedeco.pytorch.SGDOptions;
import org.bytedeco.pytorch.TensorVector;

/**
 * libtorch's own {@code torch::optim::SGD} for the plain update {@code p -= lr * grad} (no
 * momentum, no weight decay): one native call a step reads every gradient in C++, where
 * updating from Java made a handle for each gradient and each result (BENCHMARKS.md, "The
 * optimiser step"). Its arithmetic is {@code p.add_(grad, -lr)}, as PyTorch's single-tensor SGD.
 */
final class PlainSgd {
    private final org.bytedeco.pytorch.SGD sgd;
    /** The parameter group's options inside {@code sgd}: valid while {@code sgd} is. */
    private final OptimizerOptions options;
    private double lr = Double.NaN;

    PlainSgd(List<Tensor> params) {
        TensorVector handles = new TensorVector();
        params.forEach(p -> handles.push_back(p.unwrap()));
        // Kept past the memory scope it may be made in; the garbage collector frees it with this object.
        sgd = new org.bytedeco.pytorch.SGD(handles, new SGDOptions(0));
        sgd.retainReference();
        options = sgd.param_groups().get(0).options(); // a reference: no scope owns it
    }

    /** One update of every parameter that has a gradient; parameters without one are skipped. */
    void step(double lr) {
        if (lr != this.lr) {
            options.set_lr(lr);
            this.lr = lr;
        }
        sgd.step();
    }
}
