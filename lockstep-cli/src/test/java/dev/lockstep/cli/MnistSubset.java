package dev.lockstep.cli;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/** Writes the first n examples of the bundled MNIST as plain IDX files, for fast end-to-end tests. */
final class MnistSubset {
    static final Path BUNDLED = Path.of(System.getProperty("lockstep.home", ".."), "data", "mnist");

    private MnistSubset() {
    }

    static Path write(Path dir, int trainCount, int testCount) throws IOException {
        copy("train-images-idx3-ubyte", trainCount, dir);
        copy("train-labels-idx1-ubyte", trainCount, dir);
        copy("t10k-images-idx3-ubyte", testCount, dir);
        copy("t10k-labels-idx1-ubyte", testCount, dir);
        return dir;
    }

    private static void copy(String name, int count, Path dir) throws IOException {
        try (InputStream raw = Files.newInputStream(BUNDLED.resolve(name + ".gz"));
             DataInputStream in = new DataInputStream(new GZIPInputStream(raw));
             OutputStream file = Files.newOutputStream(dir.resolve(name));
             DataOutputStream out = new DataOutputStream(file)) {
            int magic = in.readInt();
            int dims = magic & 0xFF;
            in.readInt();
            out.writeInt(magic);
            out.writeInt(count);
            int perExample = 1;
            for (int i = 1; i < dims; i++) {
                int d = in.readInt();
                out.writeInt(d);
                perExample *= d;
            }
            out.write(in.readNBytes(count * perExample));
        }
    }
}
