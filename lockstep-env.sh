# The process environment libtorch needs to be fast and level, for the `lockstep` command and for the
# benchmarks that start Java themselves (so that they compare like with like). Source it from bash;
# a variable already set is kept.
#   OMP_WAIT_POLICY=passive  OpenMP workers sleep instead of spinning against each other
#   OPENBLAS_NUM_THREADS=1   OpenBLAS's own pool starts out of libtorch's way (the trainer gives it
#                            libtorch's threads for a model of matrix products alone)
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-passive}"
export OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-1}"
# One malloc arena, the brk heap. glibc's per-thread arenas fragment under libtorch's many
# allocating threads (RSS crept up ~4% an epoch with the default arenas), and a thread arena's
# 64 MB heaps are unmapped whenever they empty, whatever the trim threshold: with two arenas the
# training thread (not the process's first thread, so never on the brk heap) page-faulted its CNN
# step buffers anew, 0.2 to 3 million faults in two epochs and backward passes up to 2x slower
# (BENCHMARKS.md).
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-1}"
# Every buffer comes from that heap and freed memory stays in it for the next step: no block is
# mapped (MALLOC_MMAP_MAX_=0) and the heap is not trimmed (threshold 16 GiB). Mapped blocks are faulted
# in page by page each time: a CNN step took 7.4 or 12.6 ms as glibc's adaptive thresholds chose,
# and at batch 1024, whose activations pass the 32 MiB that glibc can keep on the heap at most
# otherwise, an epoch took 65-73 s. RSS levels off at the run's peak (level within 3% over 20 CNN
# epochs in 4 of 4 runs, and lower than with libtorch's huge pages, THP_MEM_ALLOC_ENABLE=1: the
# kernel filled their advised ranges later, and RSS grew by 190-290 MB in 2 of 10 runs).
export MALLOC_MMAP_MAX_="${MALLOC_MMAP_MAX_:-0}"
export MALLOC_TRIM_THRESHOLD_="${MALLOC_TRIM_THRESHOLD_:-17179869184}"
# glibc (2.35 and later; older ones ignore it) asks for transparent huge pages for the heap as it
# grows, so fresh memory, the dataset's 188 MB among it, is faulted in 2 MB at a time instead of
# 4 KiB: decoding MNIST took 0.9-1.2 s instead of 1.2-1.5 s, and the CNN's first batch came 0.4 s
# sooner. The untrimmed heap hands nothing back for the kernel to fill in later: RSS stayed level.
case ":${GLIBC_TUNABLES:-}:" in
  *:glibc.malloc.hugetlb=*) ;;
  *) export GLIBC_TUNABLES="${GLIBC_TUNABLES:+$GLIBC_TUNABLES:}glibc.malloc.hugetlb=1" ;;
esac
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
# A small fixed young generation: tensors live off-heap, and a large adaptive young generation only
# grew the heap (RSS crept up ~10 MB an epoch with G1's defaults, level with -Xmn64m).
# The JIT stops at C1. Lockstep's Java is glue around native calls, and C2's faster code saved no
# time measured here, while C2 compiling that glue in the first epochs took a core from libtorch's
# threads: with C1 alone the MLP's first three epochs were 6-14 % shorter, later ones 0-3 % shorter, and
# the CNN's first batch came 0.15 s sooner (medians of five; BENCHMARKS.md, "Epoch time").
JAVA_OPTS=(-Xss4m -Xmn64m -XX:TieredStopAtLevel=1)
if "$JAVA" --enable-native-access=ALL-UNNAMED -version >/dev/null 2>&1; then
  JAVA_OPTS+=(--enable-native-access=ALL-UNNAMED)
fi
