package dev.lockstep.tensor;

import org.bytedeco.pytorch.GradMode;

/**
 * {@code torch.no_grad()}: while open, operations on this thread record no autograd graph.
 * <pre>{@code try (var g = NoGrad.open()) { ... } }</pre>
 */
public final class NoGrad implements AutoCloseable {
    private final boolean previous;

    private NoGrad() {
        Torch.ensureLoaded();
        previous = GradMode.is_enabled();
        GradMode.set_enabled(false);
    }

    public static NoGrad open() {
        return new NoGrad();
    }

    @Override
    public void close() {
        GradMode.set_enabled(previous);
    }
}
