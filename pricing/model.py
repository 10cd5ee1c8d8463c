"""The records of the catalog: eras, plans, accelerators, CU readings, tax rates.

Every record carries `source` and `as_of`. A figure no source reports is None; front ends show it as
"unknown" (see `figure_text`) rather than filling the gap.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

UNKNOWN = "unknown"

TAX_CAVEAT = (
    "Standard national VAT/GST rates approximate what Google charges; the amount charged can differ "
    "(state, provincial or local taxes, card currency)."
)


def figure_text(value: float | int | None, unit: str = "", digits: int = 2) -> str:
    """A figure as text, or "unknown" when the catalog has none."""
    if value is None:
        return UNKNOWN
    text = f"{value:.{digits}f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)
    return f"{text} {unit}".rstrip()


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
class Plan:
    """One version of a Colab plan, in force from `valid_from` to `valid_to` (both included).

    `cu_included` is None where the plan has no CU accounting (the flat era, the free tier);
    `extra_cu_price_usd` is the Pay As You Go price of one more CU, None where CU cannot be bought.
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
    ram_gb: float | None
    high_ram_gb: float | None
    vcpus: int | None
    max_session_hours: float | None
    background_execution: bool | None
    concurrent_sessions: str | None
    aliases: tuple[str, ...]
    notes: tuple[str, ...]
    source: str
    as_of: date
    # System RAM of the standard runtime per accelerator where it differs from `ram_gb` (A100 runtimes
    # report about 83 GB); keys are accelerator keys.
    accelerator_ram_gb: tuple[tuple[str, float], ...] = ()
    # A published free quota of accelerator time; None where the provider publishes none.
    gpu_hours_per_week: float | None = None
    provider: str = "colab"

    def in_force(self, day: date) -> bool:
        return _within(day, self.valid_from, self.valid_to)

    def ram_for(self, accelerator: str) -> float | None:
        """The standard runtime's RAM with this accelerator: its own figure, else the plan's."""
        return dict(self.accelerator_ram_gb).get(accelerator, self.ram_gb)

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

    @property
    def known(self) -> bool:
        return self.value is not None


@dataclass(frozen=True)
class TaxRate:
    """A country's standard VAT/GST rate as a fraction (0.19 for 19 %), None when no single rate applies."""

    country: str  # ISO 3166-1 alpha-2, upper case
    name: str
    rate: float | None
    aliases: tuple[str, ...]
    note: str | None
    source: str
    as_of: date

    @property
    def percent(self) -> float | None:
        return None if self.rate is None else round(self.rate * 100, 6)


@dataclass(frozen=True)
class FreeTierEstimate:
    """Google does not publish free-tier GPU time; this is the one sourced reading, stated as an assumption."""

    accelerator: str
    session_minutes: float
    session_cu: float | None
    statement: str
    source: str
    as_of: date

    @property
    def session_hours(self) -> float:
        return self.session_minutes / 60
