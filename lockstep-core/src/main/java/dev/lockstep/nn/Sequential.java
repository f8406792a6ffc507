package dev.lockstep.nn;

import dev.lockstep.tensor.Tensor;

/** {@code nn.Sequential}: children named "0", "1", ... applied in order. */
public final class Sequential extends Module {

    public Sequential(Module... layers) {
        for (int i = 0; i < layers.length; i++) {
            registerModule(Integer.toString(i), layers[i]);
        }
    }

    @Override
    public Tensor forward(Tensor input) {
        Tensor x = input;
        for (Module m : children().values()) {
            x = m.forward(x);
        }
        return x;
    }
}
