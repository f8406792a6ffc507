package dev.lockstep.io;

import java.io.IOException;
import java.nio.file.Path;

/** A safetensors file that is truncated, corrupted or not safetensors; the message names the file. */
public final class SafetensorsFormatException extends IOException {

    public SafetensorsFormatException(Path file, String problem) {
        super(file + ": " + problem);
    }
}
