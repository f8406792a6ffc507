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
# A training step's buffers (up to a few MB each) come from the heap and are reused, instead of
# being mapped, page-faulted and unmapped every step as glibc's adaptive thresholds sometimes chose
# (the same CNN step took 7.4 or 12.6 ms); blocks over 32 MB (the most glibc allows; a large batch's
# activations) are still mapped and returned at once, so RSS does not keep their peak.
export MALLOC_MMAP_THRESHOLD_="${MALLOC_MMAP_THRESHOLD_:-33554432}"
export MALLOC_TRIM_THRESHOLD_="${MALLOC_TRIM_THRESHOLD_:-134217728}"
# Such a block is faulted in page by page every time it is mapped. With this, libtorch advises
# transparent huge pages for its buffers of 2 MB or more (where the kernel's THP mode is madvise
# or always), so the kernel faults them in 2 MB at a time: a CNN epoch at batch 1024 took 10 s
# instead of 65-73 s (batch 64: no clear difference). The cost is memory: the kernel
# may fill advised ranges of the heap with huge pages later, and in 2 of 10 twenty-epoch CNN runs
# RSS grew by 190-290 MB before it levelled off (BENCHMARKS.md). THP_MEM_ALLOC_ENABLE=0 keeps it
# level.
export THP_MEM_ALLOC_ENABLE="${THP_MEM_ALLOC_ENABLE:-1}"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
# A small fixed young generation: tensors live off-heap, and a large adaptive young generation only
# grew the heap (RSS crept up ~10 MB an epoch with G1's defaults, level with -Xmn64m).
JAVA_OPTS=(-Xss4m -Xmn64m)
if "$JAVA" --enable-native-access=ALL-UNNAMED -version >/dev/null 2>&1; then
  JAVA_OPTS+=(--enable-native-access=ALL-UNNAMED)
fi
