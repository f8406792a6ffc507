"""Seed 001's MLP trained by PyTorch from Lockstep's initial weights and batch order.

Usage: /usr/bin/python3 pytorch_parity.py DATA_DIR INIT.safetensors ORDER.txt BATCH LR
Prints one loss per batch ("batch <i> <loss>"), to compare with `lockstep train --log-interval 1`.
"""
import gzip
import json
import struct
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def read_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    body = raw[8 + n:]
    out = {}
    for name, meta in header.items():
        if name == "__metadata__":
            continue
        assert meta["dtype"] == "F32", meta
        begin, end = meta["data_offsets"]
        out[name] = torch.from_numpy(np.frombuffer(body[begin:end], dtype="<f4").reshape(meta["shape"]).copy())
    return out


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 256)
        self.fc2 = nn.Linear(256, 10)

    def forward(self, x):
        return self.fc2(F.relu(self.fc1(x.flatten(1))))


def main():
    data_dir, init, order_file, batch, lr = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), float(sys.argv[5])
    torch.set_num_threads(2)
    images = torch.from_numpy(read_idx(data_dir + "/train-images-idx3-ubyte.gz").copy()).float().div(255).unsqueeze(1)
    labels = torch.from_numpy(read_idx(data_dir + "/train-labels-idx1-ubyte.gz").astype(np.int64))
    order = torch.tensor([int(x) for x in open(order_file).read().split()], dtype=torch.int64)
    model = MLP()
    model.load_state_dict(read_safetensors(init))
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    criterion = nn.CrossEntropyLoss()
    for i, start in enumerate(range(0, len(order), batch)):
        idx = order[start:start + batch]
        optimizer.zero_grad()
        loss = criterion(model(images[idx]), labels[idx])
        loss.backward()
        optimizer.step()
        print("batch %d %.6f" % (i, loss.item()))


if __name__ == "__main__":
    main()
