package dev.lockstep.optim;

import dev.lockstep.tensor.Tensor;
import java.util.List;

/** {@code torch.optim.Adam} (L2 weight decay added to the gradient, no amsgrad). */
public class Adam extends Optimizer {
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final Tensor[] expAvg;
    private final Tensor[] expAvgSq;
    private final long[] steps;

    public Adam(List<Tensor> params, double lr) {
        this(params, lr, 0.9, 0.999, 1e-8, 0);
    }

    public Adam(List<Tensor> params, double lr, double beta1, double beta2, double eps, double weightDecay) {
        super(params, lr);
        if (beta1 < 0 || beta1 >= 1 || beta2 < 0 || beta2 >= 1 || eps < 0 || weightDecay < 0) {
            throw new IllegalArgumentException("Adam needs betas in [0,1), eps >= 0 and weight decay >= 0");
        }
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.expAvg = new Tensor[params.size()];
        this.expAvgSq = new Tensor[params.size()];
        this.steps = new long[params.size()];
    }

    /** Decoupled decay (AdamW) overrides this; Adam folds decay into the gradient. */
    protected Tensor decay(Tensor param, Tensor grad) {
        return weightDecay == 0 ? grad : grad.add(param.mul(weightDecay));
    }

    protected final double weightDecay() {
        return weightDecay;
    }

    @Override
    protected void update(int i, Tensor param, Tensor grad) {
        if (expAvg[i] == null) {
            expAvg[i] = Tensor.zeros(param.dtype(), param.shape()).to(param.device()).keep();
            expAvgSq[i] = Tensor.zeros(param.dtype(), param.shape()).to(param.device()).keep();
        }
        grad = decay(param, grad);
        long t = ++steps[i];
        expAvg[i].mulInPlace(beta1).addInPlace(grad, 1 - beta1);
        expAvgSq[i].mulInPlace(beta2).addcmulInPlace(grad, grad, 1 - beta2);
        double bias1 = 1 - Math.pow(beta1, t);
        double bias2 = 1 - Math.pow(beta2, t);
        Tensor denom = expAvgSq[i].sqrt().div(Math.sqrt(bias2)).add(eps);
        param.addcdivInPlace(expAvg[i], denom, -lr() / bias1);
    }
}
