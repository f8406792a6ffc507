package dev.lockstep.optim;

import dev.lockstep.tensor.Tensor;
import java.util.List;
import java.util.Map;

/** {@code torch.optim.SGD} with momentum, dampening 0, weight decay and Nesterov. */
public final class SGD extends Optimizer {
    private static final String BUFFER = "momentum_buffer";

    private final double momentum;
    private final double weightDecay;
    private final boolean nesterov;
    private final PlainSgd plain; // null with momentum or weight decay: those run from Java

    public SGD(List<Tensor> params, double lr) {
        this(params, lr, 0, 0, false);
    }

    public SGD(List<Tensor> params, double lr, double momentum, double weightDecay, boolean nesterov) {
        super(params, lr);
        this.momentum = nonNegative("momentum", momentum);
        this.weightDecay = nonNegative("weight decay", weightDecay);
        if (nesterov && momentum == 0) {
            throw new IllegalArgumentException("SGD: Nesterov momentum requires momentum > 0");
        }
        this.nesterov = nesterov;
        this.plain = momentum == 0 && weightDecay == 0 ? new PlainSgd(this.params) : null;
    }

    /** Without momentum or weight decay, libtorch's SGD moves every parameter by -lr * grad in one call. */
    @Override
    protected void updateWithGradients() {
        if (plain == null) {
            super.updateWithGradients();
        } else {
            plain.step(lr());
        }
    }

    /** The same arithmetic, in the same order, as PyTorch's single-tensor SGD. */
    @Override
    protected void update(int i, Tensor param, Tensor grad) {
        Tensor d = weightDecay == 0 ? grad : grad.add(param, weightDecay);
        if (momentum != 0) {
            Tensor buf = state(i).get(BUFFER);
            if (buf == null) {
                buf = d.clone().keep();
                state(i).put(BUFFER, buf);
            } else {
                buf.mulInPlace(momentum).addInPlace(d, 1);
            }
            d = nesterov ? d.add(buf, momentum) : buf;
        }
        param.addInPlace(d, -lr());
    }

    @Override
    protected List<String> stateNames() {
        return List.of(BUFFER);
    }

    @Override
    protected Map<String, double[]> hyperParameters() {
        return Map.of(
                "momentum", new double[] {momentum},
                "weight_decay", new double[] {weightDecay},
                "nesterov", new double[] {nesterov ? 1 : 0});
    }
}
