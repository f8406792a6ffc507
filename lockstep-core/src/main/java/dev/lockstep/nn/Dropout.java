package dev.lockstep.nn;

import dev.lockstep.tensor.Tensor;

/**
 * {@code nn.Dropout}: in training mode zeroes each element with probability {@code p} and scales
 * the survivors by 1/(1-p), so eval mode can be the identity. Masks come from libtorch's default
 * generator ({@code Torch.manualSeed}).
 */
public final class Dropout extends Module {
    private final double p;

    public Dropout() {
        this(0.5);
    }

    public Dropout(double p) {
        F.checkDropoutProbability(p);
        this.p = p;
    }

    @Override
    public Tensor forward(Tensor input) {
        return F.dropout(input, p, isTraining());
    }
}
