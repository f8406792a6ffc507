package dev.lockstep.parallel;

import dev.lockstep.tensor.Device;
import dev.lockstep.tensor.Torch;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Device lists as given on the command line ({@code --devices}): {@code cpu,cpu},
 * {@code cuda:0,cuda:1} or {@code all}. A device may repeat: {@code cpu,cpu} is two replicas
 * sharing the CPU's cores.
 */
public final class Devices {

    private Devices() {
    }

    /** Every CUDA device, or else one CPU. */
    public static List<Device> all() {
        int gpus = Torch.cudaDeviceCount();
        if (gpus == 0) {
            return List.of(Device.CPU);
        }
        List<Device> out = new ArrayList<>();
        for (int i = 0; i < gpus; i++) {
            out.add(Device.cuda(i));
        }
        return List.copyOf(out);
    }

    /**
     * Parses a comma-separated device list or {@code all}.
     *
     * @throws IllegalArgumentException for an empty list or an unknown or unavailable device,
     *                                  naming it and the devices this machine has
     */
    public static List<Device> parse(String spec) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException("empty device list; expected e.g. cpu,cpu or cuda:0,cuda:1 or all");
        }
        if (spec.trim().equalsIgnoreCase("all")) {
            return all();
        }
        List<Device> out = new ArrayList<>();
        for (String item : spec.split(",", -1)) {
            Device d;
            try {
                d = Device.parse(item);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(e.getMessage() + "; this machine has " + describe(all()), e);
            }
            if (d.isCuda() && d.index() >= Torch.cudaDeviceCount()) {
                throw new IllegalArgumentException("device '" + d + "' is not available; this machine has " + describe(all()));
            }
            out.add(d);
        }
        return List.copyOf(out);
    }

    private static String describe(List<Device> available) {
        String names = available.stream().map(Device::toString).collect(Collectors.joining(", "));
        return available.get(0).isCuda() ? "cpu, " + names : names;
    }
}
