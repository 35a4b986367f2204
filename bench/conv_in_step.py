#!/usr/bin/python3
"""conv_in_step.py: each conv layer's forward inside a training step, run by
ember's direct kernels and by im2col + OpenBLAS, against OpenBLAS alone at
the layer's GEMM shape (hot: its best, operands in cache; cold: the
per-image products into a batch-sized output with caches evicted).

    /usr/bin/python3 bench/conv_in_step.py [--rounds R] [--steps S]
                                           [--models "cnn1:32 mnist1:100"]
                                           [--build DIR] [--threads T]

It runs `compare_ember --profile 1` with EMBER_DIRECT_CONV=1 and =0
alternately (A B A B: the host is shared and noisy) and prints, per conv
layer, the medians over the rounds. The question it answers: how close to
OpenBLAS's hot figure does a layer's forward get in a step, and does
OpenBLAS itself, running the same layer the im2col way, get closer?
"""
import argparse
import os
import re
import statistics
import subprocess
import sys

ROW = re.compile(r"^(\d+)\s+Conv2D\s+\[([^\]]*)\]\s+(\S+)\s+\S+\s+\S+\s+(\S+)\s+\S+\s+"
                 r"(\S+)\s+(\S+)\s+(\S+)\s+\S+\s+(\S+)")


def profile(binary, model, batch, steps, threads, direct):
    env = dict(os.environ, EMBER_DIRECT_CONV="1" if direct else "0")
    out = subprocess.run([binary, "--model", model, "--batch", str(batch), "--profile", "1",
                          "--steps", str(steps), "--threads", str(threads)],
                         env=env, capture_output=True, text=True, check=True).stdout
    rows = {}
    for line in out.splitlines():
        m = ROW.match(line)
        if m:
            layer, shape, fwd_ms, fwd_gf, gemm, copies, hot, cold = m.groups()
            rows[int(layer)] = dict(shape=f"[{shape}]", gemm=f"{gemm} {copies}",
                                    fwd_ms=float(fwd_ms), fwd=float(fwd_gf), hot=float(hot),
                                    cold=float(cold))
    if not rows:
        sys.exit(f"conv_in_step: no Conv2D rows in the profile of {model}:\n{out}")
    return rows


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--models", default="cnn1:32 cnn1:128 lenet5:64 cm1:500 mnist1:100 cifar:32")
    ap.add_argument("--build", default=os.path.join(here, "..", "build"))
    args = ap.parse_args()
    binary = os.path.join(args.build, "bench", "compare_ember")
    if not os.access(binary, os.X_OK):
        sys.exit(f"conv_in_step: {binary} not found; build with -Dbenchmarks=true")

    print(f"{'model':<12} {'layer':>5} {'GEMM m*n*k':<18} {'hot SG':>7} {'cold SG':>7} "
          f"{'direct':>7} {'/hot':>5} {'/cold':>5} {'im2col':>7} {'/hot':>5} {'/cold':>5}")
    for spec in args.models.split():
        model, batch = spec.split(":")
        runs = {True: [], False: []}
        for _ in range(args.rounds):
            for direct in (True, False):
                runs[direct].append(profile(binary, model, int(batch), args.steps, args.threads,
                                            direct))
        for layer in sorted(runs[True][0]):
            def med(direct, key):
                return statistics.median(r[layer][key] for r in runs[direct])
            hot = statistics.median(r[layer]["hot"] for d in (True, False) for r in runs[d])
            cold = statistics.median(r[layer]["cold"] for d in (True, False) for r in runs[d])
            d, i = med(True, "fwd"), med(False, "fwd")
            print(f"{model + ':' + batch:<12} {layer:>5} {runs[True][0][layer]['gemm']:<18} "
                  f"{hot:7.1f} {cold:7.1f} {d:7.1f} {d / hot:5.0%} {d / cold:5.0%} "
                  f"{i:7.1f} {i / hot:5.0%} {i / cold:5.0%}", flush=True)
    print(f"(GFLOP/s, medians of {args.rounds} rounds of {args.steps} profiled steps, "
          f"{args.threads} threads; direct: ember's kernels, im2col: EMBER_DIRECT_CONV=0, "
          "the layer as im2col + OpenBLAS sgemm per image)")


if __name__ == "__main__":
    main()
