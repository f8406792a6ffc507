package dev.lockstep.optim;

import dev.lockstep.tensor.Tensor;
import java.util.List;
import java.util.Map;

/**
 * {@code torch.optim.Adam} (no amsgrad). Weight decay is L2, added to the gradient, unless the
 * subclass {@link AdamW} decouples it, as PyTorch's {@code decoupled_weight_decay} does.
 */
public class Adam extends Optimizer {
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final boolean decoupledWeightDecay;

    public Adam(List<Tensor> params, double lr) {
        this(params, lr, 0.9, 0.999, 1e-8, 0);
    }

    public Adam(List<Tensor> params, double lr, double beta1, double beta2, double eps, double weightDecay) {
        this(params, lr, beta1, beta2, eps, weightDecay, false);
    }

    protected Adam(List<Tensor> params, double lr, double beta1, double beta2, double eps, double weightDecay,
            boolean decoupledWeightDecay) {
        super(params, lr);
        this.beta1 = beta(1, beta1);
        this.beta2 = beta(2, beta2);
        this.eps = nonNegative("eps", eps);
        this.weightDecay = nonNegative("weight decay", weightDecay);
        this.decoupledWeightDecay = decoupledWeightDecay;
    }

    private double beta(int index, double value) {
        if (!(value >= 0 && value < 1)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": beta" + index
                    + " must be in [0, 1), got " + value);
        }
        return value;
    }

    /** The same arithmetic, in the same order, as PyTorch's single-tensor Adam. */
    @Override
    protected void update(int i, Tensor param, Tensor grad) {
        Map<String, Tensor> s = state(i);
        if (s.isEmpty()) {
            s.put("step", newStep());
            s.put("exp_avg", zerosLike(param));
            s.put("exp_avg_sq", zerosLike(param));
        }
        long t = s.get("step").itemLong() + 1;
        s.get("step").fillInPlace(t);
        if (weightDecay != 0) {
            if (decoupledWeightDecay) {
                param.mulInPlace(1 - lr() * weightDecay);
            } else {
                grad = grad.add(param, weightDecay);
            }
        }
        Tensor expAvg = s.get("exp_avg");
        Tensor expAvgSq = s.get("exp_avg_sq");
        expAvg.lerpInPlace(grad, 1 - beta1);
        expAvgSq.mulInPlace(beta2).addcmulInPlace(grad, grad, 1 - beta2);
        double biasCorrection1 = 1 - Math.pow(beta1, t);
        double biasCorrection2Sqrt = Math.sqrt(1 - Math.pow(beta2, t));
        // One temporary per parameter and step: the divide and the eps go into sqrt's result.
        Tensor denom = expAvgSq.sqrt().divInPlace(biasCorrection2Sqrt).addInPlace(eps);
        param.addcdivInPlace(expAvg, denom, -(lr() / biasCorrection1));
    }

    @Override
    protected final List<String> stateNames() {
        return List.of("step", "exp_avg", "exp_avg_sq");
    }

    @Override
    protected final Map<String, double[]> hyperParameters() {
        return Map.of(
                "betas", new double[] {beta1, beta2},
                "eps", new double[] {eps},
                "weight_decay", new double[] {weightDecay},
                "decoupled_weight_decay", new double[] {decoupledWeightDecay ? 1 : 0});
    }
}
