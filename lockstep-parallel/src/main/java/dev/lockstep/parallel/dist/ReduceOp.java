package dev.lockstep.parallel.dist;

import org.bytedeco.pytorch.ReduceOp.RedOpType;

/** How {@link ProcessGroup#allReduce} combines the ranks' values ({@code torch.distributed.ReduceOp}). */
public enum ReduceOp {
    SUM(RedOpType.SUM),
    /** The mean over ranks; floating-point tensors only. */
    AVG(RedOpType.AVG),
    MAX(RedOpType.MAX),
    MIN(RedOpType.MIN);

    final RedOpType nativeType;

    ReduceOp(RedOpType nativeType) {
        this.nativeType = nativeType;
    }

    org.bytedeco.pytorch.ReduceOp toNative() {
        return new org.bytedeco.pytorch.ReduceOp(nativeType);
    }
}
