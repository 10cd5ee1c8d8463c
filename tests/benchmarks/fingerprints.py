"""The expected fingerprints: one value per preset, the same under every JAX, Flax, Optax and NumPy.

From the independent NumPy float64 implementation (`python tests/benchmarks/numpy_autoencoder.py`),
seed 0, float32, the preset's batch, 10 steps. The test suite checks the benchmark against these in
every CI run (newest, oldest and Colab's versions), and the notebook's token against MEDIUM.
"""

SMALL = 0.3292966963610682
MEDIUM = 0.0998972863459084
# float32 against float64 on the same CPU: observed within 4e-5 (relative).
CPU_REL_TOL = 1e-4
