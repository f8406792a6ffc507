package dev.lockstep.parallel;

import dev.lockstep.nn.Module;
import dev.lockstep.tensor.Device;
import java.util.Objects;

/** Everything on one device in one process: the model is moved there and used as it is. */
public final class SingleDevice implements Strategy {
    private final Device device;

    public SingleDevice(Device device) {
        this.device = Objects.requireNonNull(device, "device");
    }

    @Override
    public String name() {
        return "single";
    }

    @Override
    public Device inputDevice() {
        return device;
    }

    @Override
    public Module wrap(Module model) {
        return model.to(device);
    }
}
