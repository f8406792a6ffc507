package dev.lockstep.data;

/**
 * A map-style dataset, as {@code torch.utils.data.Dataset}: a size and a batch of examples by
 * index (collated along dim 0, which is what the DataLoader asks for).
 */
public interface Dataset {

    long size();

    /** The examples at {@code indices}, stacked into one batch. */
    Batch get(long[] indices);

    /**
     * The examples at {@code indices} as epoch {@code epoch} (counted from 0) sees them. A dataset
     * with random transforms draws them from the epoch and the example, as {@link Augmented}
     * does; every other dataset is the same in every epoch.
     */
    default Batch get(long[] indices, long epoch) {
        return get(indices);
    }
}
