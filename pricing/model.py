"""The records of the catalog: eras, plans, accelerators, offers, CU readings, tax rates, readings.

Every record carries `source` and `as_of`. A figure no source reports is None; front ends show it as
"unknown" rather than filling the gap. Nothing here builds a sentence.

Memory: Colab's resource panel shows system RAM in GiB (labelled "GB"), so the catalog stores RAM as
the GiB Colab shows (`*_gib` fields). Every figure handed to a decision is decimal GB, converted in
one place (`gib_to_gb`), so a job's "13 GB" is compared like with like.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

UNKNOWN = "unknown"

BYTES_PER_GIB = 1024**3
BYTES_PER_GB = 1000**3


def gib_to_gb(gib: float | None) -> float | None:
    """GiB (as Colab's panel shows RAM) in decimal GB, to 10 MB; the one conversion the catalog makes."""
    return None if gib is None else round(gib * BYTES_PER_GIB / BYTES_PER_GB, 2)


# How a figure is known: the source publishes it, one or more readings report it, or, with no
# figure or with readings that disagree, the catalog assumes one (never in an option's favour).
PUBLISHED, READING, ASSUMED = "published", "reading", "assumed"


def _within(day: date, start: date | None, end: date | None) -> bool:
    return (start is None or start <= day) and (end is None or day <= end)


@dataclass(frozen=True)
class Coverage:
    """The dates the catalog can answer for, both ends included."""

    first: date
    last: date

    def contains(self, day: date) -> bool:
        return self.first <= day <= self.last

    def __str__(self) -> str:
        return f"{self.first.isoformat()} to {self.last.isoformat()}"


@dataclass(frozen=True)
class CuPack:
    """A pack of compute units as Colab sells it: `cu` units for `usd` before tax."""

    cu: float
    usd: float


@dataclass(frozen=True)
class Era:
    """A pricing regime: flat subscriptions, then compute units (CU)."""

    name: str
    title: str
    valid_from: date
    valid_to: date | None
    cu_price_usd: float | None  # price of one CU bought Pay As You Go; None where CU do not exist
    cu_packs: tuple[CuPack, ...]  # how CU are sold: whole packs only
    notes: tuple[str, ...]
    source: str
    as_of: date

    def in_force(self, day: date) -> bool:
        return _within(day, self.valid_from, self.valid_to)


@dataclass(frozen=True)
class Fallback:
    """What users report getting instead of an accelerator they chose (A100 -> L4, H100 -> G4)."""

    accelerator: str
    source: str
    as_of: date


@dataclass(frozen=True)
class Offer:
    """One accelerator as one plan (by name, every version) hands it out.

    `first_reported`/`last_reported` bound when the plan handed it out (None: open or unknown end);
    `devices` is how many of them one runtime gets (Kaggle's T4 x2 is 2 of 't4', to be predicted as a
    data-parallel pair); `high_ram_only`: only a High-RAM runtime gets it (the 80 GB A100);
    `ram_gib`/`vcpus`: that runtime's own system RAM (GiB as Colab shows) and vCPUs where measured.
    """

    plan: str
    accelerator: str
    first_reported: date | None
    last_reported: date | None
    devices: int
    high_ram_only: bool
    ram_gib: float | None
    vcpus: int | None
    fallback: Fallback | None
    note: str | None
    source: str
    as_of: date

    def in_force(self, day: date) -> bool:
        return _within(day, self.first_reported, self.last_reported)

    @property
    def ram_gb(self) -> float | None:
        return gib_to_gb(self.ram_gib)


@dataclass(frozen=True)
class SessionReading:
    """One report of a plan's longest session, for some accelerator kinds (all when `kinds` is empty).

    Where readings disagree, the one marked `assumed` is the figure decisions use.
    """

    hours: float
    kinds: tuple[str, ...]
    assumed: bool
    source: str
    as_of: date

    def covers(self, kind: str) -> bool:
        return not self.kinds or kind in self.kinds


@dataclass(frozen=True)
class SessionLimit:
    """The longest session of an accelerator on a plan, and how it is known.

    `basis`: PUBLISHED (the plan's figure), READING (a reading, e.g. of a free-tier session) or ASSUMED
    (the plan gives none and the free tier's is used, or readings disagree and one is chosen).
    `readings` are every reading that bears on it, the chosen one included.
    """

    plan: str
    accelerator: str
    hours: float | None
    basis: str
    source: str | None
    as_of: date | None
    readings: tuple[SessionReading | FreeTierReading, ...] = ()

    @property
    def assumed(self) -> bool:
        return self.basis == ASSUMED


@dataclass(frozen=True)
class Plan:
    """One version of a Colab plan, in force from `valid_from` to `valid_to` (both included).

    `cu_included` is None where the plan has no CU accounting (the flat era, the free tier);
    `extra_cu_price_usd` is the Pay As You Go price of one more CU, None where CU cannot be bought.
    RAM is stored as the GiB Colab shows (`ram_gib`, `high_ram_gib`); `ram_gb`, `high_ram_gb` and
    `ram_for` give decimal GB, the unit decisions compare in.
    """

    name: str
    display_name: str
    era: str
    valid_from: date
    valid_to: date | None
    monthly_price_usd: float | None
    cu_included: float | None
    cu_expiry_days: int | None
    extra_cu_price_usd: float | None
    accelerators: tuple[str, ...]
    ram_gib: float | None
    high_ram_gib: float | None
    vcpus: int | None
    max_session_hours: float | None
    background_execution: bool | None
    concurrent_sessions: str | None
    aliases: tuple[str, ...]
    notes: tuple[str, ...]
    source: str
    as_of: date
    # A published free quota of accelerator time a week; None where the provider publishes none.
    gpu_hours_per_week: float | None = None
    tpu_hours_per_week: float | None = None
    provider: str = "colab"
    session_readings: tuple[SessionReading, ...] = ()
    offers: tuple[Offer, ...] = ()  # filled in from the catalog's offers when it is built

    def in_force(self, day: date) -> bool:
        return _within(day, self.valid_from, self.valid_to)

    @property
    def ram_gb(self) -> float | None:
        """The standard runtime's system RAM in decimal GB."""
        return gib_to_gb(self.ram_gib)

    @property
    def high_ram_gb(self) -> float | None:
        """The High-RAM runtime's system RAM in decimal GB."""
        return gib_to_gb(self.high_ram_gib)

    def offer(self, accelerator: str) -> Offer | None:
        return next((offer for offer in self.offers if offer.accelerator == accelerator), None)

    def ram_gib_for(self, accelerator: str) -> float | None:
        """System RAM (GiB as Colab shows) of the runtime with this accelerator."""
        offer = self.offer(accelerator)
        return offer.ram_gib if offer is not None and offer.ram_gib is not None else self.ram_gib

    def ram_for(self, accelerator: str) -> float | None:
        """System RAM in decimal GB of the runtime with this accelerator: its own figure, else the plan's."""
        return gib_to_gb(self.ram_gib_for(accelerator))

    def devices(self, accelerator: str) -> int:
        """How many devices of `accelerator` one runtime gets (2 for Kaggle's T4 x2)."""
        offer = self.offer(accelerator)
        return 1 if offer is None else offer.devices

    def fallback(self, accelerator: str) -> Fallback | None:
        """The accelerator users report getting instead of this one, where any is reported."""
        offer = self.offer(accelerator)
        return None if offer is None else offer.fallback

    def free_hours_per_week(self, kind: str) -> float | None:
        """A published weekly quota of free time on an accelerator of `kind` ('gpu', 'tpu')."""
        return {"gpu": self.gpu_hours_per_week, "tpu": self.tpu_hours_per_week}.get(kind)

    @property
    def is_colab(self) -> bool:
        return self.provider == "colab"

    @property
    def uses_compute_units(self) -> bool:
        return self.cu_included is not None


@dataclass(frozen=True)
class Accelerator:
    """Peak dense figures of a device (sparse figures halved), or None where no source gives one.

    `fp16_bf16_tflops` is the dense FP16 or BF16 matrix peak (tensor cores where the device has them).
    `colab_from`/`colab_until` bound when Colab handed it out; None is an open or unknown end.
    `assumption` marks illustrative figures that are reasoned, not published (the reasoning is in `source`).
    """

    key: str
    name: str
    kind: str  # "gpu", "tpu" or "cpu"
    aliases: tuple[str, ...]
    fp32_tflops: float | None
    fp16_bf16_tflops: float | None
    tf32_tflops: float | None
    memory_bandwidth_gbs: float | None
    memory_gb: float | None
    year: int | None
    physical_cores: int | None
    vcpus: int | None
    colab_from: date | None
    colab_until: date | None
    assumption: bool
    notes: tuple[str, ...]
    source: str
    as_of: date
    # What a step-time prediction needs beyond the peaks, None where no source gives it: the chip's
    # architecture (which dtypes have tensor cores), its board power limit and its clocks. The
    # datasheet peaks assume the boost clock; a card held at its power limit runs below it.
    architecture: str | None = None
    power_limit_watts: float | None = None
    base_clock_mhz: float | None = None
    boost_clock_mhz: float | None = None
    sustained_clock_mhz: float | None = None  # a published clock under sustained load, where one exists
    # A published clock at the power limit under a sustained tensor-core load (continuous matmuls, a
    # diffusion model's run): the heaviest load, so a training step (matmuls between memory-bound
    # kernels that draw less) holds at least this clock.
    matmul_clock_mhz: float | None = None
    # The accelerator that reading was taken on, where it is not this one's own (the same chip at the
    # same power limit); None for a card's own reading.
    matmul_clock_from: str | None = None
    l2_cache_mb: float | None = None  # the chip's last-level (L2) cache, from its architecture whitepaper

    def in_colab_window(self, day: date) -> bool:
        return _within(day, self.colab_from, self.colab_until)


@dataclass(frozen=True)
class CuReading:
    """One dated report of an accelerator's CU burn rate per hour.

    When `cu_per_hour_high_ram` is given, `cu_per_hour` is the standard-RAM runtime's rate; otherwise
    the source did not tell the two apart. `removed` records a report that the accelerator was gone.
    """

    accelerator: str
    as_of: date
    cu_per_hour: float | None
    cu_per_hour_high_ram: float | None
    removed: bool
    note: str | None
    source: str
    # One reading that the catalog could not confirm: used only where no confirmed reading is there.
    unconfirmed: bool = False


@dataclass(frozen=True)
class Rate:
    """The answer to "how many CU per hour does this accelerator burn on a date?".

    `value` is None when unknown; `note` then says why. `high_ram` tells which runtime the value is
    for: True or False, or None when the source did not distinguish. `as_of` and `source` belong to the
    reading used (None when there was none).
    """

    accelerator: str
    requested: date
    value: float | None
    high_ram: bool | None
    as_of: date | None
    source: str | None
    note: str | None
    unconfirmed: bool = False  # the value is one unconfirmed reading

    @property
    def known(self) -> bool:
        return self.value is not None


@dataclass(frozen=True)
class TaxRate:
    """A country's standard VAT/GST rate as a fraction (0.19 for 19 %), None when no single rate applies.

    Rates change: each version is in force from `valid_from` to `valid_to` (None: open end). It is the
    standard national rate, which approximates what Google charges (`approximate` is always True for
    it: state, provincial or local taxes and card currency can change the amount).
    """

    country: str  # ISO 3166-1 alpha-2, upper case
    name: str
    rate: float | None
    aliases: tuple[str, ...]
    note: str | None
    source: str
    as_of: date
    valid_from: date | None = None
    valid_to: date | None = None
    approximate: bool = True

    def in_force(self, day: date) -> bool:
        return _within(day, self.valid_from, self.valid_to)

    @property
    def percent(self) -> float | None:
        return None if self.rate is None else round(self.rate * 100, 6)


@dataclass(frozen=True)
class FreeTierReading:
    """One report of a free-tier session (Google publishes no free-tier limits): how long one lasted.

    Decisions turn the set of readings into a figure with its uncertainty; each stays a reading.
    """

    accelerator: str
    session_minutes: float
    session_cu: float | None
    note: str | None
    source: str
    as_of: date

    @property
    def session_hours(self) -> float:
        return self.session_minutes / 60

    @property
    def statement(self) -> str | None:  # the reading's own note, as the catalog file gives it
        return self.note


FreeTierEstimate = FreeTierReading  # the former name of a reading
