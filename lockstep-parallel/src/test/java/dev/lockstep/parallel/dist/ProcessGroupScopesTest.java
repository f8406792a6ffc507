package dev.lockstep.parallel.dist;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.lockstep.nn.Linear;
import dev.lockstep.parallel.DistributedDataParallel;
import dev.lockstep.tensor.MemoryScope;
import dev.lockstep.tensor.Tensor;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/**
 * A group (and DDP's reducer) made while memory scopes are open, as a retried task on a reused
 * thread or a user's own scope would, must outlive those scopes. Detaching from every open scope
 * used to free the store, which later failed with "This pointer address is NULL".
 */
class ProcessGroupScopesTest {

    @Test
    void groupAndReducerMadeInsideNestedScopesOutliveThem() throws IOException {
        ProcessGroup group;
        DistributedDataParallel ddp;
        Linear model = new Linear(3, 2);
        try (MemoryScope outer = MemoryScope.open(); MemoryScope inner = MemoryScope.open()) {
            group = ProcessGroup.init(ProcessGroupOptions.of("127.0.0.1", ProcessGroupOptions.freePort(), 0, 1));
            ddp = new DistributedDataParallel(model, group);
        }
        System.gc();
        try (group; MemoryScope step = MemoryScope.open()) {
            Tensor t = Tensor.of(new float[] {1, 2}, 2);
            group.allReduce(t, ReduceOp.SUM);
            assertArrayEquals(new float[] {1, 2}, t.toFloatArray());
            ddp.forward(Tensor.ones(4, 3)).sum().backward();
            assertArrayEquals(new long[] {2, 3}, model.weight.grad().shape());
        }
    }
}
