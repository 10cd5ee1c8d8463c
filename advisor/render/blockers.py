"""Why an option cannot be chosen, in words: its blockers (RAM, a month's hours, a free quota, an
unknown speed or price, device memory), one clause each or several in one."""

from __future__ import annotations

from ..decide.facts import (
    BLOCK_FREE_QUOTA,
    BLOCK_MEMORY,
    BLOCK_MONTH,
    BLOCK_RAM,
    BLOCK_RATE_UNKNOWN,
    BLOCK_SPEED_UNKNOWN,
    Blocker,
)
from .words import hours


def blocker_text(blocker: Blocker) -> str:
    kind, have, need = blocker.kind, blocker.have, blocker.need
    if kind == BLOCK_RAM:
        return (f"RAM too small: {have:.3g} GB, the job needs {need:.3g} GB" if have is not None
                else "RAM too small")
    if kind == BLOCK_MONTH:
        return f"needs {hours(need)} a month; a month has {hours(have)}"
    if kind == BLOCK_FREE_QUOTA:
        return f"needs {hours(need)} a month; the free quota is {hours(have)}"
    if kind == BLOCK_SPEED_UNKNOWN:
        return f"speed unknown: the catalog lacks {blocker.subject}'s figures"
    if kind == BLOCK_RATE_UNKNOWN:
        return f"CU rate of {blocker.subject} unknown: cannot be priced"
    if kind == BLOCK_MEMORY:
        larger = f"; batch {have:.0f} would" if have else ""
        return f"batch {need:.0f} does not fit {blocker.subject}'s memory{larger}"
    return kind


def blockers_text(blockers: tuple[Blocker, ...] | list[Blocker]) -> str:
    """Several blockers in one clause: per kind once, the smallest shortfall for volumes, the devices named."""
    by_kind: dict[str, list[Blocker]] = {}
    for b in blockers:
        by_kind.setdefault(b.kind, []).append(b)
    parts = []
    for kind, group in by_kind.items():
        if kind in (BLOCK_MONTH, BLOCK_FREE_QUOTA) and len(group) > 1:
            least = min(group, key=lambda b: b.need or 0.0)
            parts.append(blocker_text(least).replace("needs ", "needs at least ", 1))
        elif kind in (BLOCK_SPEED_UNKNOWN, BLOCK_RATE_UNKNOWN) and len(group) > 1:
            names = ", ".join(str(b.subject) for b in group)
            parts.append(blocker_text(Blocker(kind, subject=names)))
        else:
            parts.extend(dict.fromkeys(blocker_text(b) for b in group))
    return "; ".join(_merged_needs(parts))


def _merged_needs(parts: list[str]) -> list[str]:
    """'needs N a month; a month has M' and 'needs N a month; the free quota is Q' for the same N read as
    one clause: 'needs N a month; a month has M and the free quota is Q'."""
    out: list[str] = []
    for part in parts:
        head, _, tail = part.partition("; ")
        earlier = next((i for i, p in enumerate(out) if tail and p.startswith(head + "; ")), None)
        if head.startswith("needs ") and earlier is not None:
            out[earlier] = f"{out[earlier]} and {tail}"
        else:
            out.append(part)
    return out
