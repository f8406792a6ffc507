package dev.lockstep.data.datasets;

import java.io.IOException;
import java.nio.file.Path;

/** A data file that is missing, truncated or not what its name promises; the message names the file. */
public final class InvalidDataException extends IOException {

    public InvalidDataException(Path file, String problem) {
        super(file + ": " + problem);
    }
}
