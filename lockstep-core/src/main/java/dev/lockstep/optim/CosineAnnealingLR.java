package dev.lockstep.optim;

import java.util.Map;

/**
 * {@code torch.optim.lr_scheduler.CosineAnnealingLR} without restarts: the learning rate follows
 * a cosine from the base down to {@code etaMin} over {@code tMax} epochs, then back up, period
 * {@code 2 * tMax}.
 */
public final class CosineAnnealingLR extends LRScheduler {
    private final long tMax;
    private final double etaMin;

    public CosineAnnealingLR(Optimizer optimizer, long tMax) {
        this(optimizer, tMax, 0);
    }

    public CosineAnnealingLR(Optimizer optimizer, long tMax, double etaMin) {
        super(optimizer);
        if (tMax < 1) {
            throw new IllegalArgumentException("CosineAnnealingLR: T_max must be >= 1, got " + tMax);
        }
        if (!(etaMin >= 0 && etaMin < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("CosineAnnealingLR: eta_min must be a finite value >= 0, got " + etaMin);
        }
        this.tMax = tMax;
        this.etaMin = etaMin;
    }

    /**
     * PyTorch's closed form {@code eta_min + (base_lr - eta_min) * (1 + cos(pi * epoch / T_max)) / 2};
     * its default recursive form computes the same values up to rounding.
     */
    @Override
    protected double lrAt(long epoch) {
        return etaMin + (baseLr() - etaMin) * (1 + Math.cos(Math.PI * epoch / tMax)) / 2;
    }

    @Override
    protected Map<String, double[]> hyperParameters() {
        return Map.of("T_max", new double[] {tMax}, "eta_min", new double[] {etaMin});
    }
}
