"""Shared bits of the performance scripts: run them from the repository root."""

from __future__ import annotations

import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"
