package dev.lockstep.optim;

import dev.lockstep.tensor.Tensor;
import java.util.List;

/**
 * {@code torch.optim.AdamW}: Adam with decoupled weight decay, applied to the parameter
 * ({@code param *= 1 - lr * weight_decay}) before the Adam update rather than to the gradient.
 */
public final class AdamW extends Adam {

    /** PyTorch's defaults: betas (0.9, 0.999), eps 1e-8, weight decay 0.01. */
    public AdamW(List<Tensor> params, double lr) {
        this(params, lr, 0.9, 0.999, 1e-8, 0.01);
    }

    public AdamW(List<Tensor> params, double lr, double beta1, double beta2, double eps, double weightDecay) {
        super(params, lr, beta1, beta2, eps, weightDecay, true);
    }
}
