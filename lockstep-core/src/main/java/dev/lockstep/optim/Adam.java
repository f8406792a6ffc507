package dev.lockstep.optim;

import dev.lockstep.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code torch.optim.Adam} (no amsgrad). Weight decay is L2, added to the gradient, unless the
 * subclass {@link AdamW} decouples it, as PyTorch's {@code decoupled_weight_decay} does.
 *
 * <p>Parameters on the CPU are updated together by libtorch's fused kernel, as with PyTorch's
 * {@code fused=True} (the same results, measured faster: BENCHMARKS.md); others one at a time
 * with PyTorch's single-tensor arithmetic.
 */
public class Adam extends Optimizer {
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final boolean decoupledWeightDecay;
    private final boolean fuseCpu;

    public Adam(List<Tensor> params, double lr) {
        this(params, lr, 0.9, 0.999, 1e-8, 0);
    }

    public Adam(List<Tensor> params, double lr, double beta1, double beta2, double eps, double weightDecay) {
        this(params, lr, beta1, beta2, eps, weightDecay, false);
    }

    protected Adam(List<Tensor> params, double lr, double beta1, double beta2, double eps, double weightDecay,
            boolean decoupledWeightDecay) {
        this(params, lr, beta1, beta2, eps, weightDecay, decoupledWeightDecay, true);
    }

    /** {@code fuseCpu} false updates CPU parameters one at a time too (tests compare the two). */
    Adam(List<Tensor> params, double lr, double beta1, double beta2, double eps, double weightDecay,
            boolean decoupledWeightDecay, boolean fuseCpu) {
        super(params, lr);
        this.beta1 = beta(1, beta1);
        this.beta2 = beta(2, beta2);
        this.eps = nonNegative("eps", eps);
        this.weightDecay = nonNegative("weight decay", weightDecay);
        this.decoupledWeightDecay = decoupledWeightDecay;
        this.fuseCpu = fuseCpu;
    }

    private double beta(int index, double value) {
        if (!(value >= 0 && value < 1)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": beta" + index
                    + " must be in [0, 1), got " + value);
        }
        return value;
    }

    @Override
    protected void updateAll(List<Integer> indices, List<Tensor> grads) {
        List<Tensor> params = new ArrayList<>();
        List<Tensor> fusedGrads = new ArrayList<>();
        List<Tensor> expAvgs = new ArrayList<>();
        List<Tensor> expAvgSqs = new ArrayList<>();
        List<Tensor> steps = new ArrayList<>();
        for (int k = 0; k < indices.size(); k++) {
            int i = indices.get(k);
            Tensor param = this.params.get(i);
            if (!fuseCpu || !FusedAdam.accepts(param, grads.get(k))) {
                update(i, param, grads.get(k));
                continue;
            }
            Map<String, Tensor> s = stateOf(i, param);
            advanceStep(s);
            params.add(param);
            fusedGrads.add(grads.get(k));
            expAvgs.add(s.get("exp_avg"));
            expAvgSqs.add(s.get("exp_avg_sq"));
            steps.add(s.get("step"));
        }
        if (!params.isEmpty()) {
            FusedAdam.step(decoupledWeightDecay, params, fusedGrads, expAvgs, expAvgSqs, steps, lr(), beta1, beta2,
                    weightDecay, eps);
        }
    }

    /** The same arithmetic, in the same order, as PyTorch's single-tensor Adam. */
    @Override
    protected void update(int i, Tensor param, Tensor grad) {
        Map<String, Tensor> s = stateOf(i, param);
        long t = advanceStep(s);
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

    /** Parameter {@code i}'s state, made (zero moments, step 0) on its first update. */
    private Map<String, Tensor> stateOf(int i, Tensor param) {
        Map<String, Tensor> s = state(i);
        if (s.isEmpty()) {
            s.put("step", newStep());
            s.put("exp_avg", zerosLike(param));
            s.put("exp_avg_sq", zerosLike(param));
        }
        return s;
    }

    /** Counts one more step in {@code state}; returns the new count. */
    private static long advanceStep(Map<String, Tensor> state) {
        Tensor step = state.get("step");
        long t = step.itemLong() + 1;
        step.fillInPlace(t);
        return t;
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
