package dev.lockstep.data.datasets;

import java.nio.file.Files;
import java.nio.file.Path;

/** The real MNIST shipped in the repository's data/mnist, found from wherever the tests run. */
final class BundledMnist {
    private BundledMnist() {
    }

    static Path dir() {
        Path start = Path.of("").toAbsolutePath();
        for (Path p = start; p != null; p = p.getParent()) {
            Path candidate = p.resolve("data").resolve("mnist");
            if (Files.isRegularFile(candidate.resolve("t10k-labels-idx1-ubyte.gz"))) {
                return candidate;
            }
        }
        throw new IllegalStateException("bundled MNIST (data/mnist) not found in " + start + " or above");
    }
}
