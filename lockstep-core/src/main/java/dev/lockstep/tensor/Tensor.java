package dev.lockstep.tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.T_TensorTensor_T;
import org.bytedeco.pytorch.TensorArrayRef;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * An n-dimensional array on a device, with autograd: Lockstep's face of a libtorch tensor.
 * Method names follow PyTorch; in-place variants end in {@code InPlace} where PyTorch's end in
 * {@code _}.
 *
 * <p>Native memory: a tensor belongs to the {@link MemoryScope} open on its thread when it was
 * made and is released when that scope closes; using it afterwards throws
 * {@link IllegalStateException}. Tensors made outside any scope (parameters, datasets) are
 * released by the garbage collector. {@link #keep()} lets a tensor outlive its scope.
 */
public final class Tensor {
    private final org.bytedeco.pytorch.Tensor handle;

    private Tensor(org.bytedeco.pytorch.Tensor handle) {
        this.handle = handle;
    }

    /** Wraps a libtorch tensor. For Lockstep's own packages; user code never needs it. */
    public static Tensor wrap(org.bytedeco.pytorch.Tensor handle) {
        return new Tensor(handle);
    }

    /** The libtorch tensor behind this one. For Lockstep's own packages; user code never needs it. */
    public org.bytedeco.pytorch.Tensor unwrap() {
        if (handle.isNull()) {
            throw new IllegalStateException("tensor was released when its memory scope closed"
                    + " (the step or epoch that made it ended); call keep() on tensors that must survive");
        }
        return handle;
    }

    private static org.bytedeco.pytorch.Tensor h(Tensor t) {
        return t.unwrap();
    }

    // ---------------------------------------------------------------- creation

    public static Tensor zeros(long... shape) {
        return zeros(DType.FLOAT32, shape);
    }

    public static Tensor zeros(DType dtype, long... shape) {
        Torch.ensureLoaded();
        return new Tensor(torch.zeros(shape, NativeArgs.options(dtype)));
    }

    public static Tensor ones(long... shape) {
        return ones(DType.FLOAT32, shape);
    }

    public static Tensor ones(DType dtype, long... shape) {
        Torch.ensureLoaded();
        return new Tensor(torch.ones(shape, NativeArgs.options(dtype)));
    }

    public static Tensor full(double value, DType dtype, long... shape) {
        Torch.ensureLoaded();
        return new Tensor(torch.full(shape, new Scalar(value), NativeArgs.options(dtype)));
    }

    /** Standard normal samples from libtorch's default generator ({@link Torch#manualSeed}). */
    public static Tensor randn(long... shape) {
        return randn(DType.FLOAT32, shape);
    }

    public static Tensor randn(DType dtype, long... shape) {
        Torch.ensureLoaded();
        return new Tensor(torch.randn(shape, NativeArgs.options(dtype)));
    }

    /** Uniform samples in [0, 1). */
    public static Tensor rand(DType dtype, long... shape) {
        Torch.ensureLoaded();
        return new Tensor(torch.rand(shape, NativeArgs.options(dtype)));
    }

    /** A random permutation of 0..n-1 (int64) from libtorch's default generator. */
    public static Tensor randperm(long n) {
        Torch.ensureLoaded();
        return new Tensor(torch.randperm(n, NativeArgs.options(DType.INT64)));
    }

    /**
     * A random permutation of 0..n-1 (int64) from a CPU generator of its own seeded with
     * {@code seed}, as {@code torch.randperm(n, generator=torch.Generator().manual_seed(seed))};
     * libtorch's generator keeps the low 32 bits of the seed, as PyTorch's does.
     */
    public static Tensor randperm(long n, long seed) {
        Torch.ensureLoaded();
        try (Generator g = torch.createCPUGenerator(seed); GeneratorOptional opt = new GeneratorOptional(g)) {
            return new Tensor(torch.randperm(n, opt, NativeArgs.options(DType.INT64)));
        }
    }

    /** 0, 1, ..., end-1 as int64. */
    public static Tensor arange(long end) {
        Torch.ensureLoaded();
        return new Tensor(torch.arange(new Scalar(end), NativeArgs.options(DType.INT64)));
    }

    /** start, start+step, ... below end, as float32. */
    public static Tensor arange(double start, double end, double step) {
        Torch.ensureLoaded();
        return new Tensor(torch.arange(new Scalar(start), new Scalar(end), new Scalar(step), NativeArgs.options(DType.FLOAT32)));
    }

    public static Tensor scalar(double value) {
        return full(value, DType.FLOAT32);
    }

    public static Tensor of(float[] data, long... shape) {
        checkCount(data.length, shape);
        return filled(DType.FLOAT32, shape, p -> new FloatPointer(p).put(data));
    }

    public static Tensor of(double[] data, long... shape) {
        checkCount(data.length, shape);
        return filled(DType.FLOAT64, shape, p -> new DoublePointer(p).put(data));
    }

    public static Tensor of(long[] data, long... shape) {
        checkCount(data.length, shape);
        return filled(DType.INT64, shape, p -> new LongPointer(p).put(data));
    }

    public static Tensor of(int[] data, long... shape) {
        checkCount(data.length, shape);
        return filled(DType.INT32, shape, p -> new IntPointer(p).put(data));
    }

    /** Unsigned bytes (0..255), as in image files. */
    public static Tensor ofUnsignedBytes(byte[] data, long... shape) {
        checkCount(data.length, shape);
        return filled(DType.UINT8, shape, p -> new BytePointer(p).put(data));
    }

    /** Copies raw little-endian bytes of the given dtype into a new tensor. */
    public static Tensor fromBytes(byte[] bytes, DType dtype, long... shape) {
        checkCount(bytes.length / dtype.byteSize(), shape);
        if (bytes.length % dtype.byteSize() != 0) {
            throw new IllegalArgumentException(bytes.length + " bytes is not a whole number of " + dtype);
        }
        return filled(dtype, shape, p -> new BytePointer(p).put(bytes));
    }

    /**
     * A new tensor whose memory {@code fill} writes in place: the Java array is copied once,
     * straight into libtorch's buffer (no intermediate native copy).
     */
    private static Tensor filled(DType dtype, long[] shape, Consumer<Pointer> fill) {
        Torch.ensureLoaded();
        org.bytedeco.pytorch.Tensor t = torch.empty(shape, NativeArgs.options(dtype), NativeArgs.NO_MEMORY_FORMAT);
        if (t.numel() > 0) {
            fill.accept(t.data_ptr());
        }
        return new Tensor(t);
    }

    private static void checkCount(long count, long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            n *= d;
        }
        if (n != count) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + n
                    + " elements, got " + count);
        }
    }

    public static Tensor cat(long dim, Tensor... tensors) {
        return new Tensor(torch.cat(vector(tensors), dim));
    }

    public static Tensor stack(long dim, Tensor... tensors) {
        try (TensorVector v = vector(tensors); TensorArrayRef ref = new TensorArrayRef(v)) {
            return new Tensor(torch.stack(ref, dim));
        }
    }

    private static TensorVector vector(Tensor[] tensors) {
        if (tensors.length == 0) {
            throw new IllegalArgumentException("need at least one tensor");
        }
        org.bytedeco.pytorch.Tensor[] hs = new org.bytedeco.pytorch.Tensor[tensors.length];
        for (int i = 0; i < tensors.length; i++) {
            hs[i] = h(tensors[i]);
        }
        return new TensorVector(hs);
    }

    // ---------------------------------------------------------------- properties

    public DType dtype() {
        return DType.of(unwrap().scalar_type());
    }

    public Device device() {
        return Device.of(unwrap());
    }

    public long[] shape() {
        return unwrap().sizes().vec().get();
    }

    public long size(int dim) {
        return unwrap().size(dim);
    }

    public int dim() {
        return (int) unwrap().dim();
    }

    public long numel() {
        return unwrap().numel();
    }

    public boolean requiresGrad() {
        return unwrap().requires_grad();
    }

    /** {@code requires_grad_()}: whether autograd records operations on this tensor. */
    public Tensor requiresGrad(boolean requires) {
        unwrap().set_requires_grad(requires);
        return this;
    }

    // ---------------------------------------------------------------- autograd

    /** Back-propagates from this scalar into the {@link #grad()} of every leaf that requires it. */
    public void backward() {
        unwrap().backward();
    }

    /**
     * The accumulated gradient, or {@code null} when none has been computed. A handle of its own:
     * libtorch returns a reference into the parameter's gradient slot, which the next
     * {@code zeroGrad()} or backward would change under it.
     */
    public Tensor grad() {
        org.bytedeco.pytorch.Tensor g = unwrap().grad();
        return g.defined() ? new Tensor(new org.bytedeco.pytorch.Tensor(g)) : null;
    }

    /** Drops the gradient ({@code zero_grad(set_to_none=True)}, PyTorch's default). */
    public void clearGrad() {
        unwrap().mutable_grad().reset(); // a reference: no new handle, and a no-op without a gradient
    }

    /** Sets the gradient to {@code g}, sharing its storage ({@code param.grad = g}). */
    public void setGrad(Tensor g) {
        unwrap().mutable_grad().put(h(g));
    }

    /**
     * {@code param.data = other}: gives this tensor the other's data, device and dtype while it
     * stays the same autograd leaf (how {@code Module.to(device)} moves parameters in place).
     */
    public void setData(Tensor other) {
        unwrap().set_data(h(other));
    }

    public Tensor detach() {
        return new Tensor(unwrap().detach());
    }

    /**
     * A second handle on this tensor (same data, same place in the autograd graph) that belongs to
     * the memory scope open on the calling thread: how a tensor made on another thread (a loader
     * worker, a DataParallel replica) is taken over before the producer's handle is released.
     */
    public Tensor newHandle() {
        return new Tensor(new org.bytedeco.pytorch.Tensor(unwrap()));
    }

    /** Lets this tensor outlive the memory scope that made it (it is then released by GC). */
    public Tensor keep() {
        // One extra reference: the owning scope's close then leaves it alive, and the garbage
        // collector's deallocator frees it once unreachable (it ignores reference counts).
        unwrap().retainReference();
        return this;
    }

    // ---------------------------------------------------------------- conversions

    public Tensor to(Device device) {
        if (device.equals(device())) {
            return this;
        }
        return new Tensor(unwrap().to(device.toNative(), unwrap().scalar_type()));
    }

    public Tensor to(DType dtype) {
        return new Tensor(unwrap().to(dtype.scalarType));
    }

    public Tensor clone() {
        return new Tensor(unwrap().clone());
    }

    /** Whether the elements lie in row-major order without gaps, as {@code Tensor.is_contiguous()}. */
    public boolean isContiguous() {
        return unwrap().is_contiguous();
    }

    public Tensor contiguous() {
        return new Tensor(unwrap().contiguous());
    }

    /**
     * This tensor laid out in {@code format}, as {@code contiguous(memory_format=...)}: itself when
     * it already is, else a copy. Channels-last takes a 4-d [N, C, H, W] tensor. Unlike PyTorch,
     * a tensor whose two layouts are the same bytes (one channel, say) gets channels-last strides,
     * as a view: PyTorch leaves its strides contiguous, and the convolution it feeds then computes
     * in the contiguous format.
     */
    public Tensor contiguous(MemoryFormat format) {
        if (format == MemoryFormat.CONTIGUOUS) {
            return contiguous();
        }
        long[] s = shape();
        if (s.length != 4) {
            throw new IllegalArgumentException("channels-last needs a 4-d [N, C, H, W] tensor, got shape "
                    + Arrays.toString(s));
        }
        org.bytedeco.pytorch.Tensor t = unwrap();
        if (!t.is_contiguous(format.nativeFormat)) {
            return new Tensor(t.contiguous(format.nativeFormat));
        }
        if (suggests(t, format)) {
            return this;
        }
        long[] strides = {s[1] * s[2] * s[3], 1, s[3] * s[1], s[1]};
        return new Tensor(t.as_strided(s, strides, new org.bytedeco.pytorch.LongOptional(t.storage_offset())));
    }

    /** Whether libtorch's kernels will treat this tensor as laid out in {@code format}. */
    public boolean isContiguous(MemoryFormat format) {
        org.bytedeco.pytorch.Tensor t = unwrap();
        return suggests(t, format) && t.is_contiguous(format.nativeFormat);
    }

    /** Whether libtorch's kernels pick {@code format} for {@code t} from its strides. */
    private static boolean suggests(org.bytedeco.pytorch.Tensor t, MemoryFormat format) {
        // the presets return a fresh enum object: compare values
        return t.suggest_memory_format().value == format.nativeFormat.value;
    }

    /** The single value of a one-element tensor, as {@code tensor.item()}. */
    public double item() {
        if (numel() != 1) {
            throw new IllegalStateException("item() needs a one-element tensor, shape is " + Arrays.toString(shape()));
        }
        return unwrap().item_double(); // no native Scalar made, as the loss is read every step
    }

    public long itemLong() {
        if (numel() != 1) {
            throw new IllegalStateException("itemLong() needs a one-element tensor, shape is " + Arrays.toString(shape()));
        }
        return unwrap().item_long();
    }

    private org.bytedeco.pytorch.Tensor cpuContiguous(DType dtype) {
        return unwrap().to(dtype.scalarType).cpu().contiguous();
    }

    public float[] toFloatArray() {
        try (org.bytedeco.pytorch.Tensor c = cpuContiguous(DType.FLOAT32)) {
            float[] out = new float[arrayLength(c.numel())];
            readOut(c, p -> new FloatPointer(p).get(out));
            return out;
        }
    }

    public double[] toDoubleArray() {
        try (org.bytedeco.pytorch.Tensor c = cpuContiguous(DType.FLOAT64)) {
            double[] out = new double[arrayLength(c.numel())];
            readOut(c, p -> new DoublePointer(p).get(out));
            return out;
        }
    }

    public long[] toLongArray() {
        try (org.bytedeco.pytorch.Tensor c = cpuContiguous(DType.INT64)) {
            long[] out = new long[arrayLength(c.numel())];
            readOut(c, p -> new LongPointer(p).get(out));
            return out;
        }
    }

    /** The raw little-endian bytes of this tensor in its own dtype, row-major. */
    public byte[] toBytes() {
        try (org.bytedeco.pytorch.Tensor c = unwrap().cpu().contiguous()) {
            byte[] out = new byte[arrayLength(c.numel() * dtype().byteSize())];
            readOut(c, p -> new BytePointer(p).get(out));
            return out;
        }
    }

    /** Java arrays hold at most 2^31 - 9 elements; a larger tensor is an error, not a wrapped length. */
    private static int arrayLength(long elements) {
        if (elements > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("a tensor of " + elements + " elements does not fit in one Java array"
                    + " (at most " + (Integer.MAX_VALUE - 8) + ")");
        }
        return (int) elements;
    }

    /** Hands {@code c}'s memory to {@code read}, unless it is empty: then it may have no storage at all. */
    private static void readOut(org.bytedeco.pytorch.Tensor c, Consumer<Pointer> read) {
        if (c.numel() > 0) {
            read.accept(c.data_ptr());
        }
    }

    // ---------------------------------------------------------------- arithmetic

    public Tensor add(Tensor other) {
        return new Tensor(unwrap().add(h(other)));
    }

    /** {@code self + alpha * other} in one kernel, as {@code torch.add(self, other, alpha=alpha)}. */
    public Tensor add(Tensor other, double alpha) {
        return new Tensor(unwrap().add(h(other), new Scalar(alpha)));
    }

    public Tensor add(double value) {
        return new Tensor(unwrap().add(new Scalar(value)));
    }

    public Tensor sub(Tensor other) {
        return new Tensor(unwrap().sub(h(other)));
    }

    public Tensor sub(double value) {
        return new Tensor(unwrap().sub(new Scalar(value)));
    }

    public Tensor mul(Tensor other) {
        return new Tensor(unwrap().mul(h(other)));
    }

    public Tensor mul(double value) {
        return new Tensor(unwrap().mul(new Scalar(value)));
    }

    public Tensor div(Tensor other) {
        return new Tensor(unwrap().div(h(other)));
    }

    public Tensor div(double value) {
        return new Tensor(unwrap().div(new Scalar(value)));
    }

    public Tensor neg() {
        return new Tensor(unwrap().neg());
    }

    public Tensor pow(double exponent) {
        return new Tensor(torch.pow(unwrap(), new Scalar(exponent)));
    }

    public Tensor sqrt() {
        return new Tensor(unwrap().sqrt());
    }

    public Tensor exp() {
        return new Tensor(unwrap().exp());
    }

    public Tensor log() {
        return new Tensor(unwrap().log());
    }

    public Tensor abs() {
        return new Tensor(unwrap().abs());
    }

    public Tensor matmul(Tensor other) {
        return new Tensor(unwrap().matmul(h(other)));
    }

    // ---------------------------------------------------------------- in place (no autograd history)

    /** {@code self += alpha * other}. */
    public Tensor addInPlace(Tensor other, double alpha) {
        unwrap().add_(h(other), new Scalar(alpha));
        return this;
    }

    /** {@code self += value}. */
    public Tensor addInPlace(double value) {
        unwrap().add_(new Scalar(value));
        return this;
    }

    /** {@code self -= value}. */
    public Tensor subInPlace(double value) {
        unwrap().sub_(new Scalar(value));
        return this;
    }

    public Tensor mulInPlace(double value) {
        unwrap().mul_(new Scalar(value));
        return this;
    }

    public Tensor divInPlace(double value) {
        unwrap().div_(new Scalar(value));
        return this;
    }

    /** {@code self += value * t1 * t2}. */
    public Tensor addcmulInPlace(Tensor t1, Tensor t2, double value) {
        unwrap().addcmul_(h(t1), h(t2), new Scalar(value));
        return this;
    }

    /** {@code self += value * t1 / t2}. */
    public Tensor addcdivInPlace(Tensor t1, Tensor t2, double value) {
        unwrap().addcdiv_(h(t1), h(t2), new Scalar(value));
        return this;
    }

    /** {@code self += weight * (end - self)}, as {@code lerp_}. */
    public Tensor lerpInPlace(Tensor end, double weight) {
        unwrap().lerp_(h(end), new Scalar(weight));
        return this;
    }

    public Tensor copyFrom(Tensor source) {
        unwrap().copy_(h(source));
        return this;
    }

    public Tensor zeroInPlace() {
        unwrap().zero_();
        return this;
    }

    public Tensor fillInPlace(double value) {
        unwrap().fill_(new Scalar(value));
        return this;
    }

    /** Fills with samples from U(low, high) using libtorch's default generator. */
    public Tensor uniformInPlace(double low, double high) {
        unwrap().uniform_(low, high, new org.bytedeco.pytorch.GeneratorOptional());
        return this;
    }

    // ---------------------------------------------------------------- shape

    public Tensor reshape(long... shape) {
        return new Tensor(gradientInOwnLayout().reshape(shape));
    }

    public Tensor view(long... shape) {
        return new Tensor(unwrap().view(shape));
    }

    /** A view repeating size-1 dimensions to {@code shape} without copying, as {@code expand}. */
    public Tensor expand(long... shape) {
        return new Tensor(unwrap().expand(shape));
    }

    public Tensor flatten(long startDim, long endDim) {
        return new Tensor(gradientInOwnLayout().flatten(startDim, endDim));
    }

    public Tensor flatten() {
        return new Tensor(gradientInOwnLayout().flatten());
    }

    /**
     * What reshaping starts from. Reshaping a channels-last tensor copies it into the contiguous
     * format, and the copy hands its gradient back contiguous, which sent max_pool2d's backward down
     * a path 4× slower than with a channels-last gradient (BENCHMARKS.md). An identity
     * {@code as_strided} view in between turns the gradient back into this tensor's layout.
     */
    private org.bytedeco.pytorch.Tensor gradientInOwnLayout() {
        org.bytedeco.pytorch.Tensor t = unwrap();
        if (t.dim() != 4 || !t.requires_grad() || t.is_contiguous() || !isContiguous(MemoryFormat.CHANNELS_LAST)) {
            return t;
        }
        return t.as_strided(t.sizes(), t.strides(), new org.bytedeco.pytorch.LongOptional(t.storage_offset()));
    }

    /** Elements {@code start .. start+length-1} along {@code dim}, as a view. */
    public Tensor narrow(long dim, long start, long length) {
        return new Tensor(unwrap().narrow(dim, start, length));
    }

    /** The slice at {@code index} along {@code dim}, dropping that dimension. */
    public Tensor select(long dim, long index) {
        return new Tensor(unwrap().select(dim, index));
    }

    /** The slices along {@code dim} at the int64 {@code indices}. */
    public Tensor indexSelect(long dim, Tensor indices) {
        return new Tensor(torch.index_select(unwrap(), dim, h(indices)));
    }

    public Tensor transpose(long dim0, long dim1) {
        return new Tensor(unwrap().transpose(dim0, dim1));
    }

    public Tensor t() {
        return new Tensor(unwrap().t());
    }

    public Tensor unsqueeze(long dim) {
        return new Tensor(unwrap().unsqueeze(dim));
    }

    public Tensor squeeze(long dim) {
        return new Tensor(unwrap().squeeze(dim));
    }

    /** Splits along dim 0 into {@code chunks} pieces of near-equal size, as {@code torch.chunk}. */
    public Tensor[] chunk(long chunks, long dim) {
        try (TensorVector parts = unwrap().chunk(chunks, dim)) {
            Tensor[] out = new Tensor[(int) parts.size()];
            for (int i = 0; i < out.length; i++) {
                // get(i) points into the vector's storage: copy the handle so each chunk owns a
                // reference and outlives the vector (freeing it freed the chunks: a JVM crash).
                out[i] = new Tensor(new org.bytedeco.pytorch.Tensor(parts.get(i)));
            }
            return out;
        }
    }

    // ---------------------------------------------------------------- reductions and comparison

    public Tensor sum() {
        return new Tensor(unwrap().sum());
    }

    public Tensor sum(long dim, boolean keepDim) {
        return new Tensor(unwrap().sum(new long[] {dim}, keepDim, new ScalarTypeOptional()));
    }

    public Tensor mean() {
        return new Tensor(unwrap().mean());
    }

    public Tensor mean(long dim, boolean keepDim) {
        return new Tensor(unwrap().mean(new long[] {dim}, keepDim, new ScalarTypeOptional()));
    }

    public Tensor max() {
        return new Tensor(unwrap().max());
    }

    public Tensor min() {
        return new Tensor(unwrap().min());
    }

    /** Indices of the maxima along {@code dim} (int64). */
    public Tensor argmax(long dim) {
        return new Tensor(unwrap().argmax(new org.bytedeco.pytorch.LongOptional(dim), false));
    }

    /** Element-wise equality as a bool tensor. */
    public Tensor eq(Tensor other) {
        return new Tensor(unwrap().eq(h(other)));
    }

    public Tensor gt(double value) {
        return new Tensor(unwrap().gt(new Scalar(value)));
    }

    public Tensor lt(double value) {
        return new Tensor(unwrap().lt(new Scalar(value)));
    }

    /** True when any element is NaN or infinite. */
    public boolean hasNonFinite() {
        return !allFinite(List.of(this));
    }

    /**
     * True when no element of any of {@code tensors} is NaN or infinite, checked as PyTorch's
     * GradScaler checks gradients: one pass over each tensor that allocates nothing of its size,
     * and one read of the result (on CUDA, one synchronisation for all). NaN propagates to a
     * tensor's smallest and largest elements, and each of them times 0 is 0 when finite and NaN
     * when not (a sum of the extremes themselves could overflow). DDP checks every gradient each
     * step, where {@code isfinite().all()} per tensor took 7x as long (BENCHMARKS.md).
     */
    public static boolean allFinite(Iterable<Tensor> tensors) {
        try (NoGrad g = NoGrad.open()) { // a parameter's check records no graph
            List<Tensor> extremes = new ArrayList<>();
            Device device = null; // the first checked tensor's: stack() takes tensors of one device
            for (Tensor tensor : tensors) {
                org.bytedeco.pytorch.Tensor t = tensor.unwrap();
                if (!t.is_floating_point() || t.numel() == 0) {
                    continue; // integers are always finite
                }
                if (device == null) {
                    device = tensor.device();
                }
                T_TensorTensor_T minMax = t.aminmax();
                extremes.add(new Tensor(minMax.get0()).to(device));
                extremes.add(new Tensor(minMax.get1()).to(device));
            }
            return extremes.isEmpty() || Double.isFinite(stack(0, extremes.toArray(new Tensor[0])).mul(0).sum().item());
        }
    }

    /** Max |a-b| / max(|b|, tiny) over elements; a tool for equivalence checks. */
    public double maxRelativeDifference(Tensor reference) {
        try (NoGrad g = NoGrad.open()) {
            Tensor a = to(DType.FLOAT64);
            Tensor b = reference.to(DType.FLOAT64);
            double diff = a.sub(b).abs().max().item();
            double scale = Math.max(b.abs().max().item(), 1e-30);
            return diff / scale;
        }
    }

    @Override
    public String toString() {
        if (handle.isNull()) {
            return "Tensor(released)";
        }
        return "Tensor(shape=" + Arrays.toString(shape()) + ", dtype=" + dtype() + ", device=" + device() + ")";
    }
}
