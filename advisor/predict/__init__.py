"""Step time on a device: measured, or predicted from the step's kernels and the accelerators' specs."""

from .presets import predict_preset
from .speed import Speed, StepProfile, measured, predict, preset_profile, profile_of, ratio_sigma

__all__ = ["Speed", "StepProfile", "measured", "predict", "predict_preset", "preset_profile", "profile_of",
           "ratio_sigma"]
