package dev.lockstep.optim;

import dev.lockstep.tensor.Tensor;
import java.util.List;

/** {@code torch.optim.SGD} with momentum, dampening 0, weight decay and Nesterov. */
public final class SGD extends Optimizer {
    private final double momentum;
    private final double weightDecay;
    private final boolean nesterov;
    private final Tensor[] buffers;

    public SGD(List<Tensor> params, double lr) {
        this(params, lr, 0, 0, false);
    }

    public SGD(List<Tensor> params, double lr, double momentum, double weightDecay, boolean nesterov) {
        super(params, lr);
        if (momentum < 0 || weightDecay < 0) {
            throw new IllegalArgumentException("SGD needs momentum >= 0 and weight decay >= 0");
        }
        if (nesterov && momentum == 0) {
            throw new IllegalArgumentException("Nesterov momentum requires momentum > 0");
        }
        this.momentum = momentum;
        this.weightDecay = weightDecay;
        this.nesterov = nesterov;
        this.buffers = new Tensor[params.size()];
    }

    @Override
    protected void update(int i, Tensor param, Tensor grad) {
        Tensor d = weightDecay == 0 ? grad : grad.add(param.mul(weightDecay));
        if (momentum != 0) {
            if (buffers[i] == null) {
                buffers[i] = d.clone().keep();
            } else {
                buffers[i].mulInPlace(momentum).addInPlace(d, 1);
            }
            d = nesterov ? d.add(buffers[i].mul(momentum)) : buffers[i];
        }
        param.addInPlace(d, -lr());
    }
}
