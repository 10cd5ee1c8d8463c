"""One framework's training step in a process of its own, driven by scripts/peers.py over stdin/stdout.

Every peer trains the same dense AutoEncoder (the preset's widths, ReLU between layers, a linear
bottleneck and output), on the same batch size, with Adam at the preset's learning rate and a
mean squared reconstruction error, cycling over the same number of distinct uniform batches as
the device loop scans. Torch and TensorFlow get the thread count they are given.

Protocol: after building and warming up, the worker prints one JSON line {"ready": {...}}; then
for each line "run SECONDS" it trains for about that long and prints {"loops": {name: [seconds a
step, one per sample]}, "cores": CPU seconds per wall second}; "quit" or end of input ends it.
Run from the repository root.
"""

from __future__ import annotations

import itertools
import json
import os
import sys
import time
from collections.abc import Callable

# Each sample lasts at least this long, as in benchmarks/config.py: shorter ones time the timer.
MIN_SAMPLE_SECONDS = 0.1
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PEERS = ("ours", "torch-eager", "torch-compile", "keras-tensorflow", "keras-jax")


def dense_widths(spec: dict) -> list[int]:
    return [spec["features"], *spec["hidden"], spec["latent"]]


def uniform_batches(spec: dict, batch: int):
    import numpy as np

    rng = np.random.default_rng(0)
    return rng.random((spec["steps_per_dispatch"] * batch, spec["features"]), dtype=np.float32)


def calibrated(steps: Callable[[int], float]) -> Callable[[float], list[float]]:
    """Warm up, find how many steps fill a sample, and return a timer for runs."""
    count = 1
    while steps(count) < MIN_SAMPLE_SECONDS:
        count *= 2

    def run(seconds: float) -> list[float]:
        samples, started = [], time.perf_counter()
        while time.perf_counter() - started < seconds or len(samples) < 3:
            samples.append(steps(count) / count)
        return samples

    return run


# ---- the peers ------------------------------------------------------------------------------------
def ours(spec: dict, batch: int, threads: int) -> tuple[Callable[[float], dict], dict]:
    """Our two loops as `measure` builds them (benchmarks.model, the optimiser state donated), timed
    here like every other peer: built and compiled once, then only training steps in the timed turns."""
    sys.path.insert(0, ROOT)
    import jax
    import jax.numpy as jnp

    from benchmarks import PRESETS
    from benchmarks.model import make_device_loop, make_train_step

    preset = PRESETS[spec["name"]]
    count = spec["steps_per_dispatch"]
    train_step, params, opt_state, _ = make_train_step(preset, jnp.float32, 0)
    data = jax.device_put(uniform_batches(spec, batch).reshape(count, batch, spec["features"]))
    batches = [data[i] for i in range(count)]
    step = jax.jit(train_step, donate_argnums=(1,))
    scan = jax.jit(make_device_loop(train_step), donate_argnums=(1,))
    state = [params, opt_state]

    def python_steps(n: int) -> float:
        start, loss = time.perf_counter(), None
        for i in range(n):
            state[0], state[1], loss = step(state[0], state[1], batches[i % count])
        jax.block_until_ready(loss)
        return time.perf_counter() - start

    def device_steps(n: int) -> float:
        start, loss = time.perf_counter(), None
        for _ in range(max(1, n // count)):
            state[0], state[1], loss = scan(state[0], state[1], data)
        jax.block_until_ready(loss)
        return (time.perf_counter() - start) * n / (max(1, n // count) * count)

    python_timer, device_timer = calibrated(python_steps), calibrated(device_steps)

    def timed(seconds: float) -> dict:
        return {"ours-python": python_timer(seconds / 2), "ours-device": device_timer(seconds / 2)}

    return timed, {"jax": jax.__version__}


def torch_peer(spec: dict, batch: int, threads: int, compiled: bool) -> tuple[Callable[[float], dict], dict]:
    import torch

    torch.set_num_threads(threads)
    torch.manual_seed(0)
    layers: list[torch.nn.Module] = []
    widths = dense_widths(spec)
    for stack in (widths, widths[::-1]):
        pairs = list(itertools.pairwise(stack))
        for i, (a, b) in enumerate(pairs):
            layers.append(torch.nn.Linear(a, b))
            if i < len(pairs) - 1:
                layers.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*layers)
    optimizer = torch.optim.Adam(model.parameters(), lr=spec["learning_rate"])
    data = torch.from_numpy(uniform_batches(spec, batch))
    batches = list(data.split(batch))

    def step(x):
        optimizer.zero_grad(set_to_none=True)
        loss = torch.nn.functional.mse_loss(model(x), x)
        loss.backward()
        optimizer.step()
        return loss

    if compiled:
        step = torch.compile(step)
    position = [0]

    def steps(count: int) -> float:
        start = time.perf_counter()
        for _ in range(count):
            step(batches[position[0] % len(batches)])
            position[0] += 1
        return time.perf_counter() - start

    name = "torch-compile" if compiled else "torch-eager"
    timer = calibrated(steps)
    return (lambda seconds: {name: timer(seconds)}), {"torch": torch.__version__}


def keras_peer(spec: dict, batch: int, threads: int, backend: str) -> tuple[Callable[[float], dict], dict]:
    os.environ["KERAS_BACKEND"] = backend
    versions = {}
    if backend == "tensorflow":
        import tensorflow as tf

        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(threads)
        versions["tensorflow"] = tf.__version__
    import keras

    keras.utils.set_random_seed(0)
    widths = dense_widths(spec)
    layers = [keras.Input((widths[0],))]
    for stack in (widths[1:], widths[::-1][1:]):
        layers += [keras.layers.Dense(w, activation="relu") for w in stack[:-1]] + [keras.layers.Dense(stack[-1])]
    model = keras.Sequential(layers)
    model.compile(optimizer=keras.optimizers.Adam(spec["learning_rate"]), loss="mse")
    data = uniform_batches(spec, batch)
    epoch_steps = spec["steps_per_dispatch"]

    class EpochClock(keras.callbacks.Callback):
        """Times whole epochs inside one fit: fit's own set-up is not a training step."""

        def on_epoch_begin(self, epoch, logs=None):
            self.began = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            float(logs["loss"])  # the epoch's steps are done once its loss is on the host
            self.epochs.append(time.perf_counter() - self.began)

    clock = EpochClock()

    def epochs(count: int) -> list[float]:
        clock.epochs = []
        # As a Keras user trains: model.fit over an in-memory array, default settings.
        model.fit(data, data, batch_size=batch, epochs=count, shuffle=False, verbose=0, callbacks=[clock])
        return clock.epochs

    per_epoch = min(epochs(3))  # the first epoch compiles
    name = f"keras-{backend}"

    def timed(seconds: float) -> dict:
        return {name: [e / epoch_steps for e in epochs(max(3, round(seconds / per_epoch)))]}

    versions["keras"] = keras.__version__
    return timed, versions


def build(peer: str, spec: dict, batch: int, threads: int) -> tuple[Callable[[float], dict], dict]:
    if peer == "ours":
        return ours(spec, batch, threads)
    if peer.startswith("torch-"):
        return torch_peer(spec, batch, threads, compiled=peer == "torch-compile")
    return keras_peer(spec, batch, threads, backend=peer.removeprefix("keras-"))


def main() -> int:
    peer, spec, batch, threads = sys.argv[1], json.loads(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    if peer not in PEERS:
        print(json.dumps({"error": f"unknown peer {peer}"}), flush=True)
        return 2
    # Every peer gets the same cores: the first `threads` this process may use, for all its threads
    # (XLA's and PyTorch's pools included), before any framework starts one.
    allowed = sorted(os.sched_getaffinity(0))
    os.sched_setaffinity(0, allowed[:threads])
    timed, versions = build(peer, spec, batch, threads)
    print(json.dumps({"ready": versions}), flush=True)
    for line in sys.stdin:
        command = line.split()
        if not command or command[0] == "quit":
            break
        wall, cpu = time.perf_counter(), time.process_time()
        loops = timed(float(command[1]))
        cores = (time.process_time() - cpu) / (time.perf_counter() - wall)
        print(json.dumps({"loops": loops, "cores": cores}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
