package dev.lockstep.data;

/**
 * A map-style dataset, as {@code torch.utils.data.Dataset}: a size and a batch of examples by
 * index (collated along dim 0, which is what the DataLoader asks for).
 */
public interface Dataset {

    long size();

    /** The examples at {@code indices}, stacked into one batch. */
    Batch get(long[] indices);
}
