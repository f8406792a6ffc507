"""Loads a Lockstep model.safetensors into the PyTorch twin of the seed model and prints its test accuracy.

Usage: /usr/bin/python3 pytorch_weights.py {cnn|mlp} MODEL.safetensors DATA_DIR
"""
import sys

import numpy as np
import torch

from pytorch_epoch import SimpleCNN
from pytorch_parity import MLP, read_idx, read_safetensors


def main():
    kind, weights, data_dir = sys.argv[1], sys.argv[2], sys.argv[3]
    model = SimpleCNN() if kind == "cnn" else MLP()
    model.load_state_dict(read_safetensors(weights))  # strict: every PyTorch name must be there
    model.eval()
    images = torch.from_numpy(read_idx(data_dir + "/t10k-images-idx3-ubyte.gz").copy()).float().div(255).unsqueeze(1)
    if kind == "cnn":  # lockstep train's default for the CNN: PyTorch's MNIST normalisation
        images = (images - 0.1307) / 0.3081
    labels = torch.from_numpy(read_idx(data_dir + "/t10k-labels-idx1-ubyte.gz").astype(np.int64))
    with torch.no_grad():
        correct = (model(images).argmax(1) == labels).sum().item()
    print("pytorch test accuracy %.4f (%d/%d)" % (correct / len(labels), correct, len(labels)))


if __name__ == "__main__":
    main()
