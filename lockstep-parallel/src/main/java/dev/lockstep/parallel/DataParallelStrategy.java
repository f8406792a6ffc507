package dev.lockstep.parallel;

import dev.lockstep.nn.Module;
import dev.lockstep.tensor.Device;
import java.util.ArrayList;
import java.util.List;

/** One process over several devices: the model is wrapped in a {@link DataParallel}. */
public final class DataParallelStrategy implements Strategy {
    private final List<Device> devices;
    private final List<DataParallel> wrapped = new ArrayList<>();

    public DataParallelStrategy(List<Device> devices) {
        if (devices.isEmpty()) {
            throw new IllegalArgumentException("the dp strategy needs at least one device");
        }
        this.devices = List.copyOf(devices);
    }

    @Override
    public String name() {
        return "dp";
    }

    /** The output device: batches go there and {@link DataParallel} scatters them from it. */
    @Override
    public Device inputDevice() {
        return devices.get(0);
    }

    @Override
    public Module wrap(Module model) {
        DataParallel dp = DataParallel.of(model, devices);
        wrapped.add(dp);
        return dp;
    }

    @Override
    public int replicasPerProcess() {
        return devices.size();
    }

    /** Stops the replica threads of every model this strategy wrapped. */
    @Override
    public void close() {
        wrapped.forEach(DataParallel::close);
        wrapped.clear();
    }
}
