#!/usr/bin/env python3
"""NumPy baseline of the aggregation benchmark: FedAvg the way Flower does it
(flwr.server.strategy.aggregate.aggregate: every layer times its site's sample count, summed with
np.add, divided by the total), over the same arrays the Java side aggregates.

  numpy_fedavg.py LAYOUT_FILE SITES REPS
prints "seconds=<best of REPS, in CPU time of the process> checksum=<sum of the squares of the result, in float64>".
"""
import sys
import time
from functools import reduce

import numpy as np


def read_layout(path):
    with open(path) as f:
        return [(p[0], tuple(int(d) for d in p[1:])) for p in (line.split() for line in f) if p]


def site_arrays(layout, site):
    """Value at global index i: ((i * 2654435761 + site * 40503) mod 65536) / 65536 - 0.5, exact in fp32."""
    out, base = [], 0
    for _, shape in layout:
        n = int(np.prod(shape))
        i = np.arange(base, base + n, dtype=np.uint64)
        r = (i * np.uint64(2654435761) + np.uint64(site * 40503)) % np.uint64(65536)
        out.append((r.astype(np.float32) / np.float32(65536) - np.float32(0.5)).reshape(shape))
        base += n
    return out


def samples(site):
    return 100 + 37 * site


def aggregate(results):
    """Flower's FedAvg aggregate()."""
    num_examples_total = sum(num_examples for (_, num_examples) in results)
    weighted_weights = [[layer * num_examples for layer in weights] for weights, num_examples in results]
    return [reduce(np.add, layer_updates) / num_examples_total for layer_updates in zip(*weighted_weights)]


def main():
    layout = read_layout(sys.argv[1])
    sites, reps = int(sys.argv[2]), int(sys.argv[3])
    results = [(site_arrays(layout, s), samples(s)) for s in range(sites)]
    best, checksum = float("inf"), 0.0
    for _ in range(reps):
        t0 = time.process_time()
        mean = aggregate(results)
        best = min(best, time.process_time() - t0)
        assert all(m.dtype == np.float32 for m in mean)
        checksum = float(sum(np.sum(np.square(m, dtype=np.float64)) for m in mean))
        del mean
    print(f"seconds={best:.6f} checksum={checksum:.9e}")


if __name__ == "__main__":
    main()
