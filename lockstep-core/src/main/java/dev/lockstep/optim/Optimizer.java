package dev.lockstep.optim;

import dev.lockstep.tensor.NoGrad;
import dev.lockstep.tensor.Tensor;
import java.util.List;

/**
 * Base of the optimisers, as {@code torch.optim.Optimizer} with one parameter group. The learning
 * rate is mutable so schedulers can drive it.
 */
public abstract class Optimizer {
    protected final List<Tensor> params;
    private double lr;

    protected Optimizer(List<Tensor> params, double lr) {
        if (params.isEmpty()) {
            throw new IllegalArgumentException("optimizer got an empty parameter list");
        }
        if (!(lr >= 0)) {
            throw new IllegalArgumentException("learning rate must be >= 0, got " + lr);
        }
        this.params = List.copyOf(params);
        this.lr = lr;
    }

    public double lr() {
        return lr;
    }

    public void setLr(double lr) {
        this.lr = lr;
    }

    /** Drops every parameter's gradient ({@code set_to_none=True}, PyTorch's default). */
    public void zeroGrad() {
        params.forEach(Tensor::clearGrad);
    }

    /** Applies one update to every parameter that has a gradient. */
    public final void step() {
        try (NoGrad g = NoGrad.open()) {
            for (int i = 0; i < params.size(); i++) {
                Tensor grad = params.get(i).grad();
                if (grad != null) {
                    update(i, params.get(i), grad);
                }
            }
        }
    }

    /** Updates parameter {@code index} in place; state tensors it creates must be {@code keep()}-ed. */
    protected abstract void update(int index, Tensor param, Tensor grad);
}
