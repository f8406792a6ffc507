package dev.lockstep.nn;

import dev.lockstep.tensor.Tensor;

/** {@code nn.Linear}: y = x Wᵀ + b, with W of shape [out, in]. */
public final class Linear extends Module {
    public final Tensor weight;
    public final Tensor bias;

    public Linear(long inFeatures, long outFeatures) {
        this(inFeatures, outFeatures, true);
    }

    public Linear(long inFeatures, long outFeatures, boolean bias) {
        if (inFeatures <= 0 || outFeatures <= 0) {
            throw new IllegalArgumentException("Linear needs positive sizes, got in=" + inFeatures + " out=" + outFeatures);
        }
        this.weight = registerParameter("weight", Tensor.zeros(outFeatures, inFeatures));
        this.bias = bias ? registerParameter("bias", Tensor.zeros(outFeatures)) : null;
        Init.defaultLinearInit(weight, this.bias, inFeatures);
    }

    @Override
    public Tensor forward(Tensor input) {
        return F.linear(input, weight, bias);
    }
}
