"""Which measurements a recommendation rests on: this machine's, a Colab one, or catalog specs."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from benchmarks import Measurement, metadata
from benchmarks.config import QUICK_BUDGET_SECONDS
from benchmarks.stats import UNSTABLE_RELATIVE_STD
from pricing import Accelerator, Catalog

from ..errors import AdvisorError
from ..predict.profiles import ProfileWarning
from ..predict.speed import BASIS_ESTIMATE, Speed
from ..predict.workload import WorkloadRatio
from ..results.origin import COLAB, THIS_MACHINE, origin_in
from ..results.share import resolve
from ..results.store import Store
from .facts import BLOCK_MEMORY, Blocker, Fact, fact
from .uncertainty import Z90, local_sigma, timing_sigma

# A named workload predicted on a --local-device, with no measurement to take the dtype from: float32,
# as `predict` takes by default.
DEFAULT_NAMED_DTYPE = "float32"

LATEST = "latest"
NOTE_LOCAL_NOT_HERE = "local_not_from_here"
NOTE_RESULT_SKIPPED = "result_skipped"  # a stored file that could not be read: not counted for this machine
NOTE_COLAB_NOT_COLAB = "colab_not_from_colab"
NOTE_NAMED_DROPS_COLAB = "named_drops_colab"
NOTE_PROFILE = "profile_cache"
NOTE_MEMORY_UNCHECKED = "memory_unchecked"  # the named workload's batch is checked against no device's memory


@dataclass(frozen=True)
class LocalFigure:
    """This machine's step time: the median over its compatible measurements (same preset, dtype and
    batch, all made here), with how far a next run may fall from it (`sigma`, log-normal; `low` and
    `high` its 10-90 % band). One quick or unstable run is a weak figure; a run taken while other
    programs held the CPU widens the band and is named."""

    measurement: Measurement  # the newest of them: its FLOPs and bytes size the predictions
    seconds: float
    low: float
    high: float
    ids: tuple[str, ...]
    quick: int  # how many of them were --quick runs
    unstable: int  # how many had a spread past the instability threshold
    sigma: float = 0.0
    interfered: int = 0  # how many were flagged: other programs took much of the CPU during the loops
    interference_share: float = 0.0  # the largest share of the CPU other programs took in any of them

    @property
    def count(self) -> int:
        return len(self.ids)

    @property
    def spread(self) -> float:
        """The band's width as a fraction of the figure."""
        return (self.high - self.low) / self.seconds if self.seconds else 0.0

    @property
    def weak(self) -> bool:
        """A figure that one noisy run could have steered: a lone run that was quick or unstable."""
        return self.count == 1 and (self.quick > 0 or self.unstable > 0)


def _is_quick(m: Measurement) -> bool:
    return m.config.budget_seconds <= QUICK_BUDGET_SECONDS


def local_figure(measurements: Sequence[Measurement]) -> LocalFigure:
    """The figure for the newest measurement's (preset, dtype, batch), from every compatible one."""
    newest = measurements[-1]
    key = (newest.config.preset, newest.config.dtype, newest.batch_size)
    same = [m for m in measurements if (m.config.preset, m.config.dtype, m.batch_size) == key]
    medians = [m.python_loop.median for m in same]
    shares = [m.interference.others_cpu_share if m.interference is not None else 0.0 for m in same]
    sigma = local_sigma(medians, [timing_sigma(m.python_loop.median, m.python_loop.mad) for m in same], shares)
    centre = statistics.median(medians)
    spread = math.exp(Z90 * sigma)
    return LocalFigure(
        measurement=newest,
        seconds=centre,
        low=centre / spread,
        high=centre * spread,
        ids=tuple(m.id for m in same),
        quick=sum(_is_quick(m) for m in same),
        unstable=sum(m.python_loop.relative_std >= UNSTABLE_RELATIVE_STD for m in same),
        sigma=sigma,
        interfered=sum(bool(m.interference is not None and m.interference.flagged) for m in same),
        interference_share=max(shares, default=0.0),
    )


@dataclass(frozen=True)
class NamedSpeeds:
    """A well-known workload's step, predicted per kernel on this machine and on each accelerator."""

    name: str
    batch_size: int
    local: Speed
    accelerators: dict[str, WorkloadRatio]
    # This machine as a catalog device (--local-device): the largest batch its memory holds, None where
    # unknown or where this machine was measured (its own run shows what fits).
    local_max_batch: int | None = None


@dataclass(frozen=True)
class Sources:
    """The measurements and specs the figures come from."""

    local: Measurement | None = None
    local_device: Accelerator | None = None
    colab: Measurement | None = None
    local_figure: LocalFigure | None = None
    colab_origin: str | None = None  # where the --colab result came from, in the history's words
    notes: tuple[Fact, ...] = ()
    named: NamedSpeeds | None = None  # --workload: its predicted step here and on each accelerator
    # This machine's RAM read from the operating system where no measurement gives it (--local-device).
    host_ram_bytes: int | None = None

    @property
    def local_ram_bytes(self) -> int | None:
        """This machine's RAM: as its measurement recorded it, else as read here; None where unknown."""
        return self.local.environment.ram_bytes if self.local is not None else self.host_ram_bytes

    def __post_init__(self) -> None:
        if self.local is not None and self.local_figure is None:
            object.__setattr__(self, "local_figure", local_figure([self.local]))


def gather_sources(
    store: Store,
    catalog: Catalog,
    *,
    local: str | None,
    local_device: str | None,
    colab: str | None,
    preset: str | None,
    stdin_text: str | None = None,
    fresh: Measurement | None = None,
) -> Sources:
    """This machine's figure (its stored measurements unless `local` names one, or specs when
    `local_device` is given; `fresh`, one just made, counts even when it could not be stored) and,
    where given, a measurement made inside Colab."""
    if local is not None and local_device is not None:
        raise AdvisorError("give either --local (a measurement) or --local-device (specs), not both")
    figure = None
    local_m = None
    notes: list[Fact] = []
    if local_device is None:
        if local is None or local == LATEST:
            # Only measurements made here stand for this machine: an imported result never does.
            entries, skipped = store.local_entries_and_skipped(preset)
            notes.extend(fact(NOTE_RESULT_SKIPPED, warning=warning) for warning in skipped)
            measurements = [entry.measurement for entry in entries]
            if fresh is not None and fresh.id not in {m.id for m in measurements}:
                measurements.append(fresh)  # made just now and shown, though it could not be saved
            if not measurements:
                store.latest_local(preset)  # raises the error that says how to measure
            figure = local_figure(measurements)
            local_m = figure.measurement
        else:
            local_m = resolve(local, store, stdin_text)
            figure = local_figure([local_m])
            where = origin_in(store, local_m)
            if where != THIS_MACHINE:
                notes.append(fact(NOTE_LOCAL_NOT_HERE, id=local_m.id, where=where))
    colab_m = resolve(colab, store, stdin_text) if colab is not None else None
    colab_where = origin_in(store, colab_m) if colab_m is not None else None
    if colab_m is not None and colab_where != COLAB:
        notes.append(fact(NOTE_COLAB_NOT_COLAB, id=colab_m.id, where=colab_where))
    return Sources(
        local=local_m,
        local_device=catalog.accelerator(local_device) if local_device is not None else None,
        colab=colab_m,
        local_figure=figure,
        colab_origin=colab_where,
        notes=tuple(notes),
        host_ram_bytes=metadata.ram_bytes() if local_device is not None else None,
    )


def with_named(sources: Sources, name: str | None, catalog: Catalog, home: Path,
               extra: tuple[str, ...] = ()) -> Sources:
    """`sources` with --workload NAME's predicted speeds attached (unchanged without a name); `extra`
    accelerators (a card to buy) are predicted beside the plans' own."""
    if name is None:
        return sources
    warnings: list[ProfileWarning] = []
    named = named_speeds(name, sources, catalog, home, warnings, extra)
    notes = [fact(NOTE_PROFILE, warning=w.kind, subject=w.subject, reason=w.reason) for w in dict.fromkeys(warnings)]
    if sources.colab is not None:
        notes.append(fact(NOTE_NAMED_DROPS_COLAB, workload=name))
    # A device whose memory size is known but whose fit is still unknown: the workload has no memory plan
    # to size a batch by (a QLoRA step), so no option is ruled out for memory and the answer must say so.
    sized = [key for key, ratio in named.accelerators.items() if catalog.accelerator(key).memory_gb]
    if sized and all(named.accelerators[key].fits is None for key in sized):
        notes.append(fact(NOTE_MEMORY_UNCHECKED, workload=name, batch=named.batch_size))
    return replace(sources, named=named, colab=None, notes=(*sources.notes, *notes))


def named_speeds(name: str, sources: Sources, catalog: Catalog, home: Path, warnings: list[ProfileWarning],
                 extra: tuple[str, ...] = ()) -> NamedSpeeds:
    """--workload NAME: its step predicted here, from the ceilings measured on this machine, and on every
    accelerator the catalog's plans offer. Profiles the workload on first use (seconds, then cached)."""
    from benchmarks.workloads.specs import WORKLOADS

    from ..predict.profiles import spec_of
    from ..predict.workload import workload_ratio

    spec_of(name)
    m = sources.local
    device = sources.local_device if m is None else None
    if device is None and (m is None or m.ceiling is None):
        raise AdvisorError(f"--workload {name} needs a measurement of this machine (its matmul and copy ceilings): "
                           "run `colab-advisor measure`, or give --local-device NAME to predict it from specs")
    ceiling = m.ceiling if m is not None else None
    dtype = m.config.dtype if m is not None else DEFAULT_NAMED_DTYPE
    offered = [key for plan in catalog.plans for key in plan.accelerators]
    keys = dict.fromkeys(key for key in (*offered, *extra) if catalog.accelerator(key).kind in ("gpu", "tpu"))
    ratios = {key: workload_ratio(name, None, dtype, catalog.accelerator(key), ceiling, home, warnings=warnings)
              for key in keys}
    if device is not None:  # this machine is a catalog device: the same predictor, from its specs
        own = workload_ratio(name, None, dtype, device, None, home, warnings=warnings)
        local = own.accelerator
        if local is None:
            raise AdvisorError(f"the catalog has no speed figures for '{device.key}': measure instead")
        return NamedSpeeds(name, WORKLOADS[name].batch_size, replace(local, basis=BASIS_ESTIMATE), ratios,
                           own.max_batch)
    local = next((r.local for r in ratios.values() if r.local is not None), None)
    if local is None:
        raise AdvisorError(f"--workload {name}: this machine's measurement {m.id if m else ''} lacks a matmul or "
                           "copy ceiling; measure again")
    return NamedSpeeds(name, WORKLOADS[name].batch_size, local, ratios)


def memory_blocker(sources: Sources, acc: Accelerator, devices: int = 1) -> Blocker | None:
    """The batch does not fit the device's memory; with several devices, each holds its share of it."""
    named = sources.named
    ratio = named.accelerators.get(acc.key) if named is not None else None
    if named is None or ratio is None or ratio.fits is not False:
        return None
    if ratio.max_batch is not None and ratio.max_batch >= math.ceil(named.batch_size / devices):
        return None
    return Blocker(BLOCK_MEMORY, ratio.max_batch, named.batch_size, acc.key)


def local_memory_blocker(sources: Sources) -> Blocker | None:
    """This machine as a catalog GPU (--local-device) whose memory does not hold the named workload's batch."""
    named, device = sources.named, sources.local_device
    if named is None or device is None or named.local_max_batch is None or named.local_max_batch >= named.batch_size:
        return None
    return Blocker(BLOCK_MEMORY, named.local_max_batch, named.batch_size, device.key)
