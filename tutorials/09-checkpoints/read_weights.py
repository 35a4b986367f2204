#!/usr/bin/env python3
"""Reads what chapter 9's program wrote, without ember: the weights in numpy
(and in PyTorch when it is installed), and checks they compute ember's logits.

    python3 read_weights.py 09-checkpoints-output

Needs numpy (Debian: apt-get install python3-numpy); PyTorch is optional
(Debian: apt-get install python3-torch, or pip install torch).
"""
import json
import struct
import sys
from pathlib import Path

import numpy as np


def load_safetensors(path):
    """A .safetensors file by hand: an 8-byte little-endian length, that many
    bytes of JSON (each tensor's dtype, shape and byte range), then the bytes."""
    data = Path(path).read_bytes()
    (n,) = struct.unpack('<Q', data[:8])
    header = json.loads(data[8:8 + n])
    metadata = header.pop('__metadata__', {})
    start = 8 + n
    tensors = {}
    for name, info in header.items():
        assert info['dtype'] == 'F32', f'{name}: {info["dtype"]}'
        begin, end = info['data_offsets']
        tensors[name] = np.frombuffer(data[start + begin:start + end], dtype='<f4').reshape(info['shape'])
    return tensors, metadata


def main():
    folder = Path(sys.argv[1])
    weights, metadata = load_safetensors(folder / 'model.safetensors')
    print(f'  numpy {np.__version__} reads model.safetensors (metadata {metadata}):')
    for name, array in weights.items():
        print(f'    {name:9} {str(array.shape):11} {array.dtype}')
    npy = np.load(folder / '1.weight.npy')
    print(f'  np.load("1.weight.npy") equals it: {np.array_equal(npy, weights["1.weight"])}')

    # ember's model in three lines of numpy: flatten, dense + relu, dense
    # (dropout does nothing when evaluating). Weights are [out, in], as in PyTorch.
    images, labels = np.load(folder / 'images.npy'), np.load(folder / 'labels.npy')
    ember_logits = np.load(folder / 'logits.npy')
    x = images.reshape(len(images), -1)                                # [8, 784]
    h = np.maximum(x @ weights['1.weight'].T + weights['1.bias'], 0)  # [8, 128]
    logits = h @ weights['3.weight'].T + weights['3.bias']            # [8, 10]
    print(f'  numpy logits against ember\'s: max |difference| {np.abs(logits - ember_logits).max():.1e}, '
          f'same predictions: {np.array_equal(logits.argmax(1), ember_logits.argmax(1))}, '
          f'labels {labels.astype(int).tolist()}, predicted {logits.argmax(1).tolist()}')

    checkpoint, meta = load_safetensors(folder / 'checkpoint.safetensors')
    print(f'  checkpoint.safetensors: {len(checkpoint)} tensors, epoch {meta["epoch"]}, '
          f'Adam\'s m of 1.weight: shape {checkpoint["optimizer.0.m"].shape}, '
          f'RMS {np.sqrt((checkpoint["optimizer.0.m"] ** 2).mean()):.1e}')

    try:
        import torch
    except ImportError:
        print('  PyTorch is not installed (Debian: apt-get install python3-torch): not tried')
        return
    model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(784, 128), torch.nn.ReLU(),
                                torch.nn.Dropout(0.2), torch.nn.Linear(128, 10))
    # ember's Linear holds its relu; PyTorch's ReLU is a layer of its own, so
    # the last layer's number moves from 3 to 4.
    renamed = {'1.weight': '1.weight', '1.bias': '1.bias', '3.weight': '4.weight', '3.bias': '4.bias'}
    model.load_state_dict({renamed[k]: torch.from_numpy(v.copy()) for k, v in weights.items()})
    model.eval()
    with torch.no_grad():
        torch_logits = model(torch.from_numpy(images)).numpy()
    print(f'  PyTorch {torch.__version__} logits against ember\'s: max |difference| '
          f'{np.abs(torch_logits - ember_logits).max():.1e}, same predictions: '
          f'{np.array_equal(torch_logits.argmax(1), ember_logits.argmax(1))}')


if __name__ == '__main__':
    main()
