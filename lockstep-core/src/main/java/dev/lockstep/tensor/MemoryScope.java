package dev.lockstep.tensor;

import org.bytedeco.javacpp.Pointer;
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

    /**
     * Keeps a native object alive and usable for the life of the process: an extra reference so
     * that the memory scope it was made in does not null it on close, and no deallocator for the GC.
     * (Not PointerScope.detach: that drops a reference for every open scope, held or not, and
     * nulled the store of a group made inside nested scopes.) For Lockstep's own packages.
     */
    public static <P extends Pointer> P pin(P p) {
        p.retainReference();
        p.deallocate(false);
        return p;
    }
}
