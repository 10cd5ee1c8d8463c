"""An independent implementation of the dense benchmark's fingerprint, in NumPy float64.

Written from the definition, not from the benchmark's code: parameters and data are drawn from the
raw PCG64 stream (stream [seed, 0] for the parameters, [seed, 1] for the data; each 64-bit draw
gives two 24-bit fractions, high bits first), kernels uniform in +-sqrt(3 / fan_in) layer by layer
(encoder, then decoder), biases zero; the network is Linear layers with ReLU between them and a
linear bottleneck and output; the loss is the mean squared reconstruction error; the optimiser is
Adam (b1 0.9, b2 0.999, eps 1e-8, bias-corrected). The fingerprint is the loss the last of `steps`
steps sees, before its update. Float64 throughout, so the JAX figure (float32) should sit within
rounding of it.
"""

from __future__ import annotations

import itertools

import numpy as np


def fractions(bits: np.random.PCG64, count: int) -> np.ndarray:
    raw = bits.random_raw((count + 1) // 2)
    out = np.empty(2 * len(raw), dtype=np.float64)
    out[0::2] = (raw >> np.uint64(40)).astype(np.float64)
    out[1::2] = ((raw >> np.uint64(8)) % np.uint64(1 << 24)).astype(np.float64)
    return out[:count] / float(1 << 24)


def uniform32(bits: np.random.PCG64, shape: tuple[int, ...], low: float, high: float) -> np.ndarray:
    # The benchmark stores float32 values; round to them so both start from the same numbers.
    unit = fractions(bits, int(np.prod(shape))).astype(np.float32)
    return (unit * np.float32(high - low) + np.float32(low)).reshape(shape).astype(np.float64)


def dense_fingerprint(
    widths: list[int], batch: int, steps: int, batches: int, lr: float = 1e-3, seed: int = 0
) -> float:
    layers = list(itertools.pairwise(widths))
    mirrored = [(b, a) for a, b in reversed(layers)]
    params_bits = np.random.PCG64([seed, 0])
    weights = []
    for fan_in, fan_out in layers + mirrored:
        limit = np.sqrt(3.0 / fan_in)
        weights.append([uniform32(params_bits, (fan_in, fan_out), -limit, limit), np.zeros(fan_out)])
    data_bits = np.random.PCG64([seed, 1])
    used = min(steps, batches)
    data = uniform32(data_bits, (used, batch, widths[0]), 0.0, 1.0)
    linear_at = {len(layers) - 1, 2 * len(layers) - 1}  # the bottleneck and the output

    first = [[np.zeros_like(p) for p in layer] for layer in weights]
    second = [[np.zeros_like(p) for p in layer] for layer in weights]
    loss = float("nan")
    for step in range(steps):
        x = data[step % batches]
        inputs, pre = [], []
        h = x
        for i, (w, b) in enumerate(weights):
            inputs.append(h)
            z = h @ w + b
            pre.append(z)
            h = z if i in linear_at else np.maximum(z, 0.0)
        error = h - x
        loss = float(np.mean(error * error))
        grad_h = 2.0 * error / error.size
        grads = [None] * len(weights)
        for i in reversed(range(len(weights))):
            grad_z = grad_h if i in linear_at else grad_h * (pre[i] > 0)
            grads[i] = [inputs[i].T @ grad_z, grad_z.sum(axis=0)]
            grad_h = grad_z @ weights[i][0].T
        t = step + 1
        for i, layer in enumerate(weights):
            for j in range(2):
                g = grads[i][j]
                first[i][j] = 0.9 * first[i][j] + 0.1 * g
                second[i][j] = 0.999 * second[i][j] + 0.001 * g * g
                m_hat = first[i][j] / (1 - 0.9**t)
                v_hat = second[i][j] / (1 - 0.999**t)
                layer[j] = layer[j] - lr * m_hat / (np.sqrt(v_hat) + 1e-8)
    return loss


if __name__ == "__main__":
    # The figures tests/benchmarks/fingerprints.py holds: python tests/benchmarks/numpy_autoencoder.py
    print("small ", repr(dense_fingerprint([64, 32, 8], batch=256, steps=10, batches=64)))
    print("medium", repr(dense_fingerprint([784, 512, 32], batch=256, steps=10, batches=16)))
