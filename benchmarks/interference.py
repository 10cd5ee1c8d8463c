"""How much of the machine other programs took while a loop was timed.

A step time measured while another program held a core looks as trustworthy as a clean one unless
the record says otherwise. The machine's busy time (Linux's /proc/stat, all cores, steal included)
less this process's own CPU time is what everything else used; as a share of all cores' time over
the same wall interval it answers "was the benchmark alone?". Where the kernel does not say, the
1-minute load average less the cores this process kept busy stands in, a coarser figure.

Standard library only, like the record it fills.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass

# Above this share of all cores' time taken by other programs, a figure is flagged. A desktop at
# rest (a browser, an editor) stays well under it; one busy core of two is far over it.
FLAGGED_OTHERS_SHARE = 0.10
PROC_STAT = "/proc/stat"
SOURCES = ("proc-stat", "load-average")
# Fields of /proc/stat's "cpu" line: user nice system idle iowait irq softirq steal (guest is
# already counted in user). Steal is time a hypervisor gave to other guests: lost to us all the same.
_BUSY_FIELDS = (0, 1, 2, 5, 6, 7)
_IDLE_FIELDS = (3, 4)


@dataclass(frozen=True)
class Interference:
    """What other programs took while the loops were timed."""

    others_cpu_share: float  # of all cores' time, 0..1
    own_cores: float  # CPU seconds this process used per wall second: cores it kept busy
    load_average: float | None  # 1-minute load average, the highest seen at a loop's start or end
    source: str  # "proc-stat" (counted) or "load-average" (estimated)
    flagged: bool  # the share was high enough to distrust the step times


@dataclass(frozen=True)
class Snapshot:
    wall: float
    own_cpu: float
    machine_busy: float | None  # seconds over all cores since boot; None where unknown
    machine_total: float | None
    load_average: float | None


def _read_proc_stat(path: str) -> tuple[float, float] | None:
    try:
        with open(path, encoding="ascii") as handle:
            fields = handle.readline().split()
    except OSError:
        return None
    if len(fields) < 9 or fields[0] != "cpu":
        return None
    try:
        ticks = [int(v) for v in fields[1:9]]
    except ValueError:
        return None
    hertz = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    busy = sum(ticks[i] for i in _BUSY_FIELDS) / hertz
    return busy, busy + sum(ticks[i] for i in _IDLE_FIELDS) / hertz


def _load_average() -> float | None:
    try:
        return os.getloadavg()[0]
    except (OSError, AttributeError):
        return None


def snapshot(
    clock: Callable[[], float] = time.perf_counter,
    own_cpu: Callable[[], float] = time.process_time,
    proc_stat: str = PROC_STAT,
) -> Snapshot:
    machine = _read_proc_stat(proc_stat)
    return Snapshot(
        wall=clock(),
        own_cpu=own_cpu(),
        machine_busy=machine[0] if machine else None,
        machine_total=machine[1] if machine else None,
        load_average=_load_average(),
    )


def between(start: Snapshot, end: Snapshot, cores: int) -> Interference | None:
    """Other programs' share of the machine from `start` to `end`; None over too short a span."""
    wall = end.wall - start.wall
    if wall <= 0:
        return None
    own = max(0.0, end.own_cpu - start.own_cpu)
    loads = [v for v in (start.load_average, end.load_average) if v is not None]
    load = max(loads) if loads else None
    if None not in (start.machine_busy, end.machine_busy, start.machine_total, end.machine_total):
        total = end.machine_total - start.machine_total  # type: ignore[operator]
        busy = end.machine_busy - start.machine_busy  # type: ignore[operator]
        # /proc/stat counts in ticks (10 ms): a span of a few ticks says nothing.
        if total >= 0.2:
            others = max(0.0, busy - own) / total
            return _found(others, own / wall, load, "proc-stat")
    if load is None:
        return None
    # The load average counts our own runnable threads too; what is left over is someone else's.
    others = max(0.0, load - own / wall) / max(cores, 1)
    return _found(others, own / wall, load, "load-average")


def _found(others: float, own_cores: float, load: float | None, source: str) -> Interference:
    share = round(min(others, 1.0), 3)
    load = round(load, 2) if load is not None else None
    return Interference(share, round(own_cores, 2), load, source, share >= FLAGGED_OTHERS_SHARE)


def warning(found: Interference, cores: int) -> str | None:
    if not found.flagged:
        return None
    load = f", load average {found.load_average:.1f} on {cores} cores" if found.load_average is not None else ""
    how = "" if found.source == "proc-stat" else " (estimated from the load average)"
    return (
        f"other programs took {found.others_cpu_share:.0%} of the CPU while the loops were timed{how}{load}: "
        "step times are likely slow and noisy; close them and run again"
    )
