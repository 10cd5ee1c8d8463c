import os

# Tests run on the CPU whatever the machine has; multi-device tests start their own processes.
os.environ.setdefault("JAX_PLATFORMS", "cpu")
