package dev.lockstep.train;

/**
 * What a listener learns when training starts.
 *
 * @param strategy        the strategy's name ({@code single}, {@code dp}, {@code ddp})
 * @param batchesPerEpoch this process's training steps per epoch
 * @param samplesPerEpoch training examples per epoch over all processes
 * @param batchSize       the global batch size
 */
public record TrainingInfo(int rank, int worldSize, String strategy, int epochs, long batchesPerEpoch,
                           long samplesPerEpoch, int batchSize) {

    public boolean isMain() {
        return rank == 0;
    }
}
