package dev.lockstep.train;

/** Training stopped because a step's loss was NaN or infinite; the message names the epoch and step. */
public final class NonFiniteLossException extends ArithmeticException {
    private final int epoch;
    private final long step;

    NonFiniteLossException(int epoch, long step, long globalStep, double localLoss) {
        super("loss is " + (Double.isFinite(localLoss) ? "not finite on another rank" : Double.toString(localLoss))
                + " at epoch " + epoch + ", step " + step + " (global step " + globalStep + "); training stopped"
                + " (skip such steps with --skip-nonfinite / Trainer.Builder.skipNonFinite)");
        this.epoch = epoch;
        this.step = step;
    }

    public int epoch() {
        return epoch;
    }

    /** The step within the epoch, counting from 1. */
    public long step() {
        return step;
    }
}
