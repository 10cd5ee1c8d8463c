"""Step time on a device: measured, or predicted from the accelerators' specs."""

from .speed import Speed, StepProfile, measured, predict, profile_of

__all__ = ["Speed", "StepProfile", "measured", "predict", "profile_of"]
