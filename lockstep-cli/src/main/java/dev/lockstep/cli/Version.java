package dev.lockstep.cli;

/** Versions shown by {@code lockstep info}. */
final class Version {
    static final String LOCKSTEP = "0.1.0-SNAPSHOT";
    static final String LIBTORCH = "2.10.0 (JavaCPP presets 1.5.13)";

    private Version() {
    }
}
