package dev.lockstep.parallel;

import dev.lockstep.tensor.Device;
import java.util.List;
import java.util.Locale;

/**
 * Strategies by name, as {@code --strategy} and {@code --devices} give them. Adding a kind means
 * one more case here.
 */
public final class Strategies {

    private Strategies() {
    }

    /**
     * Creates the named strategy.
     *
     * @param name         {@code auto} (as Lightning's: DataParallel when there are several devices,
     *                     else single), {@code single} or {@code dp} ({@code ddp} is started by
     *                     {@code lockstep run})
     * @param devicesSpec  a device list for {@link Devices#parse}; {@code null} or blank means
     *                     {@code all} (for {@code single}: its first device)
     * @throws IllegalArgumentException for an unknown name, a bad device list, or {@code single}
     *                                  given more than one device
     */
    public static Strategy create(String name, String devicesSpec) {
        String kind = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        boolean defaultDevices = devicesSpec == null || devicesSpec.isBlank();
        List<Device> devices = defaultDevices ? Devices.all() : Devices.parse(devicesSpec);
        return switch (kind) {
            case "auto" -> devices.size() > 1 ? new DataParallelStrategy(devices) : new SingleDevice(devices.get(0));
            case "single" -> {
                if (!defaultDevices && devices.size() != 1) {
                    throw new IllegalArgumentException("the single strategy takes one device, got " + devices
                            + "; use --strategy dp for several");
                }
                yield new SingleDevice(devices.get(0));
            }
            case "dp" -> new DataParallelStrategy(devices);
            case "ddp" -> throw new IllegalArgumentException("ddp strategy is started by `lockstep run`"
                    + " (one process per device), not created in this process");
            default -> throw new IllegalArgumentException("unknown strategy '" + name + "'; expected auto, single, dp or ddp");
        };
    }
}
