package dev.lockstep.optim;

import java.util.Map;

/** {@code torch.optim.lr_scheduler.StepLR}: the learning rate times {@code gamma} every {@code stepSize} epochs. */
public final class StepLR extends LRScheduler {
    private final long stepSize;
    private final double gamma;

    public StepLR(Optimizer optimizer, long stepSize) {
        this(optimizer, stepSize, 0.1);
    }

    public StepLR(Optimizer optimizer, long stepSize, double gamma) {
        super(optimizer);
        if (stepSize < 1) {
            throw new IllegalArgumentException("StepLR: step size must be >= 1, got " + stepSize);
        }
        if (!(gamma >= 0 && gamma < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("StepLR: gamma must be a finite value >= 0, got " + gamma);
        }
        this.stepSize = stepSize;
        this.gamma = gamma;
    }

    /** PyTorch's closed form: {@code base_lr * gamma ** (epoch // step_size)}. */
    @Override
    protected double lrAt(long epoch) {
        return baseLr() * Math.pow(gamma, epoch / stepSize);
    }

    @Override
    protected Map<String, double[]> hyperParameters() {
        return Map.of("step_size", new double[] {stepSize}, "gamma", new double[] {gamma});
    }
}
