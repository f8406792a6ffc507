package dev.lockstep.parallel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.tensor.Device;
import dev.lockstep.tensor.Torch;
import java.util.List;
import org.junit.jupiter.api.Test;

class DevicesTest {

    @Test
    void parsesRepeatedCpus() {
        assertEquals(List.of(Device.CPU, Device.CPU), Devices.parse("cpu, cpu"));
        assertEquals(List.of(Device.CPU), Devices.parse("CPU"));
    }

    @Test
    void allIsEveryGpuOrOneCpu() {
        int gpus = Torch.cudaDeviceCount();
        List<Device> all = Devices.parse("all");
        assertEquals(Devices.all(), all);
        assertEquals(gpus == 0 ? List.of(Device.CPU) : List.of(Device.cuda(0)), all.subList(0, 1));
        assertEquals(Math.max(1, gpus), all.size());
    }

    @Test
    void unknownDeviceIsNamedWithWhatExists() {
        var e = assertThrows(IllegalArgumentException.class, () -> Devices.parse("cpu,tpu"));
        assertTrue(e.getMessage().contains("'tpu'"), e.getMessage());
        assertTrue(e.getMessage().contains("this machine has cpu"), e.getMessage());
    }

    @Test
    void unavailableGpuIsNamed() {
        String missing = "cuda:" + Torch.cudaDeviceCount();
        var e = assertThrows(IllegalArgumentException.class, () -> Devices.parse(missing));
        assertTrue(e.getMessage().contains("'" + missing + "' is not available"), e.getMessage());
        assertTrue(e.getMessage().contains("this machine has cpu"), e.getMessage());
    }

    @Test
    void emptyListsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> Devices.parse(" "));
        assertThrows(IllegalArgumentException.class, () -> Devices.parse("cpu,,cpu"));
    }
}
