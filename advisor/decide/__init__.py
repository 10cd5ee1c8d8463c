"""The engine: a workload, the options for it, their costs over a horizon, break-even and the verdict's facts.

Re-exported here: the light, typed parts every command may use. The engine itself (``recommend``,
``Recommendation``, ``Option``) draws its uncertainty with numpy and is imported from
``advisor.decide.engine`` by the code that needs it, so `plans` and `history` start without it.
"""

from .facts import Blocker, Fact
from .tax import TaxBasis, tax_basis
from .workload import Workload

__all__ = ["Blocker", "Fact", "TaxBasis", "Workload", "tax_basis"]
