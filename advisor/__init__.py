"""colab-advisor: measure a training workload, price Colab plans, and say which one pays off."""

__version__ = "0.1.0"
