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
from .words import gb, hours


def blocker_text(blocker: Blocker) -> str:
    kind, have, need = blocker.kind, blocker.have, blocker.need
    if kind == BLOCK_RAM:
        return (f"RAM too small: {gb(have, 3)}, the job needs {gb(need)}" if have is not None
                else "RAM too small")
    if kind in (BLOCK_MONTH, BLOCK_FREE_QUOTA):
        return f"needs {hours(need)} a month; {_limit(blocker)}"
    if kind == BLOCK_SPEED_UNKNOWN:
        return f"speed unknown: the catalog lacks {blocker.subject}'s figures"
    if kind == BLOCK_RATE_UNKNOWN:
        return f"CU rate of {blocker.subject} unknown: cannot be priced"
    if kind == BLOCK_MEMORY:
        larger = f"; batch {have:.0f} would" if have else ""
        return f"batch {need:.0f} does not fit {blocker.subject}'s memory{larger}"
    return kind


def _limit(blocker: Blocker) -> str:
    """What a volume blocker's need is measured against: the month's hours or the free quota."""
    what = "a month has" if blocker.kind == BLOCK_MONTH else "the free quota is"
    return f"{what} {hours(blocker.have)}"


def blockers_text(blockers: tuple[Blocker, ...] | list[Blocker]) -> str:
    """Several blockers in one clause: per kind once, the smallest shortfall for volumes (a month's hours
    and a free quota short of the same need say the need once), the devices named."""
    by_kind: dict[str, list[Blocker]] = {}
    for b in blockers:
        by_kind.setdefault(b.kind, []).append(b)
    volumes = {kind: (min(group, key=lambda b: b.need or 0.0), len(group) > 1) for kind, group in by_kind.items()
               if kind in (BLOCK_MONTH, BLOCK_FREE_QUOTA)}
    shared = len(volumes) == 2 and len({(b.need, at_least) for b, at_least in volumes.values()}) == 1
    parts = []
    for kind, group in by_kind.items():
        if kind in volumes:
            least, at_least = volumes[kind]
            if shared and kind == BLOCK_FREE_QUOTA:
                continue  # said with the month's hours
            limits = " and ".join(_limit(b) for b, _ in volumes.values()) if shared else _limit(least)
            parts.append(f"needs {'at least ' if at_least else ''}{hours(least.need)} a month; {limits}")
        elif kind in (BLOCK_SPEED_UNKNOWN, BLOCK_RATE_UNKNOWN) and len(group) > 1:
            names = ", ".join(str(b.subject) for b in group)
            parts.append(blocker_text(Blocker(kind, subject=names)))
        else:
            parts.extend(dict.fromkeys(blocker_text(b) for b in group))
    return "; ".join(parts)
