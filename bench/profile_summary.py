"""Summarises async-profiler's collapsed stacks (bench/profile.sh): per runner, the samples of one
thread inside one method, by the frame on top of the stack, and the Java methods most often on top;
then, side by side, the same samples by the presets' call they are under (the first org/bytedeco
frame: torch.linear, Tensor.backward, Scalar.<init>, ...), which lines up the runners' libtorch work.

Usage: profile_summary.py NAME=FILE:THREAD:METHOD ...
"""
import collections
import re
import sys

SAMPLE_MS = 0.25  # the 4 kHz interval profile.sh asks for
KINDS = ("java", "sgemm", "native", "kernel")


def summarise(path, thread, method):
    kinds = collections.Counter()
    java_tops = collections.Counter()
    calls = collections.Counter()
    for line in open(path):
        if not line.startswith("[" + thread + " "):
            continue
        stack, n = line.rsplit(" ", 1)
        frames = stack.split(";")
        inside = [i for i, f in enumerate(frames) if method in f]
        if not inside:
            continue
        below = frames[inside[0] + 1:]
        call = next((f for f in below if f.startswith("org/bytedeco/")), "(no presets call)")
        calls[re.sub(r"_\[\w\]$", "", call)] += int(n)
        top = frames[-1]
        kind = re.search(r"_\[(\w)\]$", top)  # async-profiler's ann: 0 interpreted, 1 C1, j C2, i inlined, k kernel
        if kind and kind[1] in "01ji":
            kinds["java"] += int(n)
            java_tops[top] += int(n)
        elif kind and kind[1] == "k":
            kinds["kernel"] += int(n)
        else:
            kinds["sgemm" if top.startswith("sgemm") else "native"] += int(n)
    return kinds, java_tops, calls


def main(specs):
    names, calls = [], []
    for spec in specs:
        name, rest = spec.split("=", 1)
        path, thread, method = rest.rsplit(":", 2)
        kinds, tops, by_call = summarise(path, thread, method)
        total = sum(kinds.values())
        print("%-9s %6d samples (%.0f ms)  " % (name, total, total * SAMPLE_MS)
              + "  ".join("%s %d" % (k, kinds[k]) for k in KINDS))
        for top, n in tops.most_common(8):
            print("            %5d  %s" % (n, top))
        names.append(name)
        calls.append(by_call)
    print("\nby presets call:" + "".join("%10s" % n for n in names))
    everything = collections.Counter()
    for c in calls:
        everything.update(c)
    for call, _ in everything.most_common(16):
        print("  " + "".join("%10d" % c[call] for c in calls) + "  " + call)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
