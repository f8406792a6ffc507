package dev.lockstep.train.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StepLossesTest {
    @Test
    void drainsEveryStepInOrderPastItsFirstCapacityAndThenHoldsNone() throws IOException {
        StepLosses losses = new StepLosses();
        long before = System.currentTimeMillis();
        for (int i = 0; i < 3000; i++) {
            losses.add(10 + i, i / 7.0);
        }
        long after = System.currentTimeMillis();
        List<double[]> seen = new ArrayList<>();
        losses.drain((step, loss, wallMillis) -> seen.add(new double[] {step, loss, wallMillis}));
        assertEquals(3000, seen.size());
        for (int i = 0; i < 3000; i++) {
            assertEquals(10 + i, seen.get(i)[0]);
            assertEquals(i / 7.0, seen.get(i)[1]);
            assertTrue(seen.get(i)[2] >= before && seen.get(i)[2] <= after, "wall time of step " + i);
        }
        seen.clear();
        losses.drain((step, loss, wallMillis) -> seen.add(new double[] {step}));
        assertEquals(0, seen.size());
        losses.add(5, 0.5);
        losses.drain((step, loss, wallMillis) -> seen.add(new double[] {step, loss}));
        assertEquals(1, seen.size());
        assertEquals(5, seen.get(0)[0]);
    }
}
