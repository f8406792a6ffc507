package dev.lockstep.parallel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.nn.Module;
import dev.lockstep.tensor.Device;
import org.junit.jupiter.api.Test;

class StrategiesTest {

    @Test
    void singleUsesOneDevice() {
        try (Strategy s = Strategies.create("single", "cpu")) {
            assertEquals("single", s.name());
            assertEquals(Device.CPU, s.inputDevice());
            Module m = Models.mlp(1);
            assertSame(m, s.wrap(m));
        }
        assertThrows(IllegalArgumentException.class, () -> Strategies.create("single", "cpu,cpu"));
    }

    @Test
    void dpWrapsInDataParallelOverTheDevices() {
        try (Strategy s = Strategies.create("dp", "cpu,cpu")) {
            assertEquals("dp", s.name());
            assertEquals(Device.CPU, s.inputDevice());
            Module m = Models.mlp(1);
            DataParallel dp = assertInstanceOf(DataParallel.class, s.wrap(m));
            assertSame(m, dp.module());
            assertEquals(2, dp.devices().size());
        }
    }

    @Test
    void unknownAndDdpNamesAreExplained() {
        var ddp = assertThrows(IllegalArgumentException.class, () -> Strategies.create("ddp", "cpu"));
        assertTrue(ddp.getMessage().contains("lockstep run"), ddp.getMessage());
        var bad = assertThrows(IllegalArgumentException.class, () -> Strategies.create("fsdp", "cpu"));
        assertTrue(bad.getMessage().contains("'fsdp'") && bad.getMessage().contains("single, dp"), bad.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Strategies.create("dp", "cpu,gpu"));
    }
}
