package dev.lockstep.train.watch;

import java.io.IOException;
import java.util.Arrays;

/**
 * The training loss of each step of an epoch, held in primitive arrays until the epoch ends: a
 * step then costs the training thread an array store, not text or protobuf encoding in code the
 * JIT has not compiled yet (that encoding made the MLP's first epoch up to 10% slower).
 */
final class StepLosses {
    /** Where {@link #drain} sends each step. */
    interface Sink {
        void accept(long step, double loss, long wallMillis) throws IOException;
    }

    private long[] steps = new long[1024];
    private double[] losses = new double[1024];
    private long[] wallMillis = new long[1024];
    private int size;

    void add(long step, double loss) {
        if (size == steps.length) {
            steps = Arrays.copyOf(steps, size * 2);
            losses = Arrays.copyOf(losses, size * 2);
            wallMillis = Arrays.copyOf(wallMillis, size * 2);
        }
        steps[size] = step;
        losses[size] = loss;
        wallMillis[size] = System.currentTimeMillis();
        size++;
    }

    /** Hands every held step to {@code sink}, oldest first, and forgets them. */
    void drain(Sink sink) throws IOException {
        for (int i = 0; i < size; i++) {
            sink.accept(steps[i], losses[i], wallMillis[i]);
        }
        size = 0;
    }
}
