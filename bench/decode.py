"""Seconds to decode MNIST (both splits, gzipped IDX to float32 tensors) with Python's gzip, numpy and
torch, REPS times. Usage: /usr/bin/python3 decode.py DATA_DIR [REPS=5]"""
import sys
import time

import torch

from pytorch_parity import read_idx


def main():
    data_dir, reps = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 5
    for r in range(1, reps + 1):
        t0 = time.perf_counter()
        sizes = []
        for split in ("train", "t10k"):
            images = torch.from_numpy(read_idx("%s/%s-images-idx3-ubyte.gz" % (data_dir, split)).copy())
            x = images.float().div(255).unsqueeze(1)
            y = torch.from_numpy(read_idx("%s/%s-labels-idx1-ubyte.gz" % (data_dir, split)).astype("int64"))
            sizes.append(len(y))
        print("python decode %d: %.3f s (%d + %d images)" % (r, time.perf_counter() - t0, sizes[0], sizes[1]))


if __name__ == "__main__":
    main()
