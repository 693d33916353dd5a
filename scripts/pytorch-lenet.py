#!/usr/bin/python3
"""Reference speed: the d2l LeNet in PyTorch's CPU build, same data and batch size.

Optional: needs Debian's python3-torch (apt-get install python3-torch); never a
dependency of the app or its tests. Prints one JSON line, like `npm run bench`.

    /usr/bin/python3 scripts/pytorch-lenet.py [--images 8192] [--batch 256] [--warmup 1024] [--threads N] [--rounds 1]

--threads sets torch.set_num_threads (default: PyTorch's own choice); `npm run
bench` passes the thread count its wasm run used. With --rounds, the timed run
is repeated and the median reported, like the bench.
"""
import argparse
import gzip
import json
import os
import statistics
import struct
import time

import numpy as np
import torch
from torch import nn

DATA = os.path.join(os.path.dirname(__file__), "..", "public", "data", "fashion-mnist")


def read_idx(name):
    with gzip.open(os.path.join(DATA, name), "rb") as f:
        raw = f.read()
    magic, count = struct.unpack(">II", raw[:8])
    if magic == 2051:
        rows, cols = struct.unpack(">II", raw[8:16])
        return np.frombuffer(raw, np.uint8, offset=16).reshape(count, 1, rows, cols)
    return np.frombuffer(raw, np.uint8, offset=8)


def lenet():
    # The book's network (d2l, "Convolutional Neural Networks (LeNet)").
    net = nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), nn.Sigmoid(),
        nn.Linear(120, 84), nn.Sigmoid(),
        nn.Linear(84, 10))
    for m in net:
        if isinstance(m, (nn.Linear, nn.Conv2d)):
            nn.init.xavier_uniform_(m.weight)
    return net


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--images", type=int, default=8192)
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--warmup", type=int, default=1024)
    parser.add_argument("--threads", type=int, default=0, help="torch.set_num_threads (0: PyTorch's default)")
    parser.add_argument("--rounds", type=int, default=1, help="timed runs; the median is reported")
    args = parser.parse_args()
    if args.threads > 0:
        torch.set_num_threads(args.threads)

    rng = np.random.default_rng(0)
    images = read_idx("train-images-idx3-ubyte.gz")
    labels = read_idx("train-labels-idx1-ubyte.gz")
    pick = rng.permutation(len(labels))[: args.images + args.warmup]
    x = torch.tensor(images[pick], dtype=torch.float32) / 255
    y = torch.tensor(labels[pick], dtype=torch.long)

    net = lenet()
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(net.parameters(), lr=0.9)

    def train(start, stop):
        steps = 0
        for i in range(start, stop, args.batch):
            xb, yb = x[i:min(i + args.batch, stop)], y[i:min(i + args.batch, stop)]
            optimizer.zero_grad()
            loss = loss_fn(net(xb), yb)
            loss.backward()
            optimizer.step()
            steps += 1
        return steps

    train(0, args.warmup)
    rates, step_ms = [], []
    for _ in range(max(1, args.rounds)):
        begin = time.perf_counter()
        steps = train(args.warmup, args.warmup + args.images)
        seconds = time.perf_counter() - begin
        rates.append(args.images / seconds)
        step_ms.append(1000 * seconds / steps)
    print(json.dumps({
        "backend": "pytorch-cpu", "torch": torch.__version__, "threads": torch.get_num_threads(),
        "images": args.images, "batch": args.batch, "warmup": args.warmup, "rounds": len(rates),
        "imagesPerSecond": round(statistics.median(rates), 1), "msPerStep": round(statistics.median(step_ms), 2),
        "roundsImagesPerSecond": [round(r, 1) for r in rates],
    }))


if __name__ == "__main__":
    main()
