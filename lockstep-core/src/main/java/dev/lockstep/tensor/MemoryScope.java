package dev.lockstep.tensor;

import org.bytedeco.javacpp.PointerScope;

/**
 * A region whose native tensors are released when it closes. Scopes nest per thread; a tensor
 * belongs to the innermost scope open on its thread when it was made. {@link Tensor#keep()}
 * takes a tensor out of every scope so it lives until the garbage collector drops it.
 *
 * <p>The library opens one scope per step (see {@code DataLoader}) and one per epoch, so
 * user loops written like PyTorch's keep a flat native footprint without calling this.
 */
public final class MemoryScope implements AutoCloseable {
    private final PointerScope scope;

    private MemoryScope() {
        Torch.ensureLoaded();
        scope = new PointerScope();
    }

    /** Opens a scope on the current thread. */
    public static MemoryScope open() {
        return new MemoryScope();
    }

    @Override
    public void close() {
        scope.close();
    }
}
