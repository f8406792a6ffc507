package dev.lockstep.train;

import java.util.List;

/**
 * What a listener learns when training starts.
 *
 * @param strategy        the strategy's name ({@code single}, {@code dp}, {@code ddp})
 * @param batchesPerEpoch this process's training steps per epoch
 * @param samplesPerEpoch training examples per epoch over all processes
 * @param batchSize       the global batch size
 * @param resumedAtStep   the global step a resumed run continues after (0 from the beginning)
 * @param earlierEpochs   the metrics of the epochs a resumed run had finished before
 */
public record TrainingInfo(int rank, int worldSize, String strategy, int epochs, long batchesPerEpoch,
                           long samplesPerEpoch, int batchSize, long resumedAtStep, List<EpochMetrics> earlierEpochs) {

    public TrainingInfo {
        earlierEpochs = List.copyOf(earlierEpochs);
    }

    public boolean isMain() {
        return rank == 0;
    }
}
