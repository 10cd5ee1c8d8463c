"""The one vocabulary for figures: money, durations, ratios, hours, percentages, counts.

Every view formats numbers through these, so one figure reads the same wherever it appears. Each
keeps a bounded number of digits whatever the value (no 300-digit ratios) and says "unknown" for None.
"""

from __future__ import annotations

import math

UNKNOWN = "unknown"


def _known(value: float | None) -> bool:
    return value is not None and math.isfinite(value)


def money(value: float | None) -> str:
    """$1,234.56; -$3.00; $1.2e+09 past a billion."""
    if not _known(value):
        return UNKNOWN
    assert value is not None
    sign = "-" if value < 0 else ""
    size = abs(value)
    if size >= 1e9:
        return f"{sign}${size:.3g}"
    return f"{sign}${size:,.2f}"


def dollars(value: float | None) -> str:
    """Money in a sentence: cents below $100, whole dollars above."""
    if not _known(value):
        return UNKNOWN
    assert value is not None
    if abs(value) >= 1e9:
        return money(value)
    return f"${value:,.2f}" if abs(value) < 100 else f"${value:,.0f}"


def dollars_up(value: float | None) -> str:
    """A threshold in dollars ('above $X'), rounded up to what `dollars` shows: never below the figure."""
    if not _known(value):
        return UNKNOWN
    assert value is not None
    step = 0.01 if abs(value) < 100 else 1.0
    return dollars(math.ceil(round(value / step, 6)) * step)


def seconds(value: float | None) -> str:
    if not _known(value):
        return UNKNOWN
    assert value is not None
    if abs(value) >= 1e6:
        return f"{value:.3g} s"
    if value >= 1:
        return f"{value:.2f} s"
    if value >= 1e-3:
        return f"{value * 1e3:.2f} ms"
    if 0 < value < 1e-6:  # a step a token allows (down to 0.1 ns) would read 0.0 µs
        return f"{value * 1e9:.2g} ns"
    return f"{value * 1e6:.1f} µs"


def duration(hours: float | None) -> str:
    """12 min, 3.4 h, 2,400 h."""
    if not _known(hours):
        return UNKNOWN
    assert hours is not None
    if abs(hours) >= 1e12:  # past any horizon a person plans for: the order of magnitude is the figure
        return f"{hours:.3g} h"
    if hours * 60 < 1:
        return f"{hours * 3600:.0f} s"
    if hours < 1:
        return f"{hours * 60:.0f} min"
    if hours >= 1e5:
        return f"{hours:,.0f} h"
    return f"{hours:,.1f} h"


def hours(value: float | None) -> str:
    """A number of hours, never '-0.0 h'."""
    if not _known(value):
        return UNKNOWN
    assert value is not None
    if abs(value) >= 1e7:
        return f"{value:.3g} h"
    return f"{0.0 if abs(value) < 0.05 else value:,.1f} h"


def ratio(value: float | None) -> str:
    """A speed ratio: 1.4x, 12x, 31,000x (two significant digits from 10,000 on), 3.1e+09x; below 0.1
    two significant digits (0.0039x), never a bare 0.0x."""
    if not _known(value) or value is None or value <= 0:
        return UNKNOWN
    if value < 0.1:
        return f"{value:.2g}x"
    if value >= 1e9:
        return f"{value:.2g}x"
    if value >= 10_000:
        return f"{float(f'{value:.2g}'):,.0f}x"
    return f"{value:.0f}x" if value >= 10 else f"{value:.1f}x"


def ratio_band(low: float | None, high: float | None) -> str:
    """'(1.2x-3.4x)', or nothing where both ends read the same."""
    a, b = ratio(low), ratio(high)
    return "" if a == b else f" ({a}-{b})"


def figure(value: float | None) -> str:
    """A plain ratio or factor to three significant digits or so: 1.11, 10.0, 123, 25,000; 2.5e+09 from a
    billion on."""
    if not _known(value):
        return UNKNOWN
    assert value is not None
    if abs(value) >= 1e9:
        return f"{value:.3g}"
    if abs(value) >= 10_000:
        return f"{float(f'{value:.3g}'):,.0f}"
    if abs(value) >= 100:
        return f"{value:.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def scaled(value: float | None, unit: str) -> str:
    """1.23e11, 'FLOP/s' -> '123 GFLOP/s'."""
    if not _known(value):
        return UNKNOWN
    assert value is not None
    for factor, prefix in ((1e15, "P"), (1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= factor:
            return f"{value / factor:.3g} {prefix}{unit}"
    return f"{value:.3g} {unit}"


def percent(value: float | None, digits: int = 0) -> str:
    """A value already in percent: 12 %."""
    if not _known(value):
        return UNKNOWN
    assert value is not None
    return f"{value:.3g} %" if abs(value) >= 1e5 else f"{value:.{digits}f} %"


def share(value: float | None) -> str:
    """A fraction as a percentage: 0.93 -> '93 %'."""
    if not _known(value):
        return UNKNOWN
    assert value is not None
    return percent(100 * value)


def count(value: float, one: str, many: str | None = None) -> str:
    """'1 run', '12 runs', '1,328 runs'."""
    text = f"{value:,.0f}" if float(value).is_integer() else f"{value:,g}"
    return f"{text} {one if value == 1 else (many or one + 's')}"


def runs_a_month(value: float) -> str:
    return f"{count(value, 'run')} a month"


def gb(value: float | None, significant: int = 6) -> str:
    """An amount of memory in GB to `significant` figures, in plain digits at any size: '54.8 GB',
    '1,234.5 GB', '0.001 GB' (never '1e+03 GB')."""
    if not _known(value):
        return UNKNOWN
    assert value is not None
    if value == 0:
        return "0 GB"
    digits = max(0, significant - 1 - math.floor(math.log10(abs(value))))
    text = f"{round(value, digits):,.{digits}f}"
    return f"{text.rstrip('0').rstrip('.') if '.' in text else text} GB"


def figure_text(value: float | int | None, unit: str = "", digits: int = 2) -> str:
    """A catalog figure with its unit and no trailing zeros: '1.19 CU/h', '16 GB'; 'unknown' for None."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return UNKNOWN
    text = f"{value:.{digits}f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)
    return f"{text} {unit}".rstrip()


# Letters whose spoken name starts with a vowel sound ("an L4", "an H100", "a G4", "a T4").
_VOWEL_SOUND_LETTERS = frozenset("aefhilmnorsx")


def with_article(key: str) -> str:
    """An accelerator key with the article it is read with: keys are read letter by letter."""
    return f"{'an' if key[:1].lower() in _VOWEL_SOUND_LETTERS else 'a'} {key}"
