"""The engine: a workload, the options for it, their costs over a horizon, break-even and the verdict's facts.

Names are loaded on first use, so a command that needs only the defaults does not import the engine.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_WHERE = {
    "BreakEven": "engine", "PlanAnswer": "engine", "Recommendation": "engine", "choose": "engine",
    "cost_curves": "engine", "recommend": "engine", "Option": "options", "LocalFigure": "sources",
    "Sources": "sources", "gather_sources": "sources", "TaxBasis": "tax", "tax_basis": "tax",
    "Workload": "workload",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'advisor.decide' has no attribute '{name}'")
    return getattr(import_module(f".{_WHERE[name]}", __name__), name)
