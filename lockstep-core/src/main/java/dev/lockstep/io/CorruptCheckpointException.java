package dev.lockstep.io;

import java.io.IOException;
import java.nio.file.Path;

/** A checkpoint directory that is partial, truncated or altered; the message names it. */
public final class CorruptCheckpointException extends IOException {
    private final Path dir;

    public CorruptCheckpointException(Path dir, String why) {
        super("checkpoint " + dir + " is unusable: " + why);
        this.dir = dir;
    }

    public Path dir() {
        return dir;
    }
}
