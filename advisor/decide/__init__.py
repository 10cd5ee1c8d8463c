"""The engine: a workload, the options for it, their costs over a horizon, break-even and the verdict's facts."""

from .engine import Option, Recommendation, Sources, cost_curves, recommend
from .tax import TaxBasis, tax_basis
from .workload import Workload

__all__ = ["Option", "Recommendation", "Sources", "TaxBasis", "Workload", "cost_curves", "recommend", "tax_basis"]
