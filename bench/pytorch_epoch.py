"""The seeds' MLP / CNN epoch in PyTorch (shuffled index batches, as DataLoader(shuffle=True) gives).

Usage: /usr/bin/python3 pytorch_epoch.py {mlp|cnn} EPOCHS THREADS DATA_DIR [SEED [normalize]]
Prints "pytorch <model> epoch <n>: <seconds> s <samples/s> samples/s", then the test accuracy.
"normalize" adds Normalize(0.1307, 0.3081), which the seeds do not use.
Started with torchrun's environment (MASTER_ADDR, MASTER_PORT, RANK, WORLD_SIZE), it trains with
DistributedDataParallel over Gloo: each rank takes its DistributedSampler share of the epoch and
batch / WORLD_SIZE of each global batch, and rank 0 prints the epoch's time once every rank has
finished it.
"""
import os
import sys
import time

import numpy as np
import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F

from pytorch_parity import MLP, read_idx


class SimpleCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, 1, 1)
        self.pool = nn.MaxPool2d(2)
        self.fc1 = nn.Linear(32 * 14 * 14, 10)

    def forward(self, x):
        return self.fc1(self.pool(F.relu(self.conv1(x))).flatten(1))


def main():
    model_name, epochs, threads, data_dir = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    torch.set_num_threads(threads)
    torch.manual_seed(int(sys.argv[5]) if len(sys.argv) > 5 else 1)
    normalize = len(sys.argv) > 6 and sys.argv[6] == "normalize"

    def load(split):
        x = torch.from_numpy(read_idx(data_dir + "/%s-images-idx3-ubyte.gz" % split).copy()).float().div(255).unsqueeze(1)
        y = torch.from_numpy(read_idx(data_dir + "/%s-labels-idx1-ubyte.gz" % split).astype(np.int64))
        return (x.sub(0.1307).div(0.3081) if normalize else x), y

    images, labels = load("train")
    cnn = model_name == "cnn"
    model = SimpleCNN() if cnn else MLP()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3) if cnn else torch.optim.SGD(model.parameters(), lr=0.01)
    batch = 64 if cnn else 256
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = 0
    if world > 1:
        dist.init_process_group("gloo")
        rank = dist.get_rank()
        model = torch.nn.parallel.DistributedDataParallel(model)
        sampler = torch.utils.data.DistributedSampler(range(len(labels)), world, rank, shuffle=True)
        batch //= world
    for epoch in range(1, epochs + 1):
        start = time.perf_counter()
        if world > 1:
            sampler.set_epoch(epoch)
            order = torch.tensor(list(sampler))
        else:
            order = torch.randperm(len(labels))
        for i in range(0, len(order), batch):
            idx = order[i:i + batch]
            optimizer.zero_grad()
            loss = F.cross_entropy(model(images[idx]), labels[idx])
            loss.backward()
            optimizer.step()
        if world > 1:
            dist.barrier()
        seconds = time.perf_counter() - start
        if rank == 0:
            print("pytorch %s epoch %d: %.2f s %.0f samples/s" % (model_name, epoch, seconds, len(labels) / seconds), flush=True)
    if rank != 0:
        return
    test_images, test_labels = load("t10k")
    with torch.no_grad():
        accuracy = (model(test_images).argmax(1) == test_labels).float().mean().item()
    print("pytorch %s test accuracy %.4f" % (model_name, accuracy))


if __name__ == "__main__":
    main()
