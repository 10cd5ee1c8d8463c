"""The tax prices are computed with: none, a rate the user gave, or a country's standard rate."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from pricing import Catalog, CatalogError, TaxRate, load_catalog

from ..errors import AdvisorError
from ..policy import user_catalog


@dataclass(frozen=True)
class TaxBasis:
    """The tax prices are shown with: none ("before tax"), a rate the user gave, or a country's rate.

    `fraction` is None when no tax was asked for, and also for a country without one national rate.
    """

    kind: str  # "none", "given" or "country"
    fraction: float | None = None
    country: TaxRate | None = None

    @property
    def applies(self) -> bool:
        return self.kind != "none"

    @property
    def unknown(self) -> bool:
        """Tax was asked for but its rate is unknown (a country without one national rate)."""
        return self.kind != "none" and self.fraction is None

    @property
    def pricing_rate(self) -> float | None:
        """The fraction prices are taxed with: 0 where no tax was asked for, None where it is unknown."""
        return 0.0 if self.kind == "none" else self.fraction

    @property
    def percent(self) -> float | None:
        return None if self.fraction is None else round(self.fraction * 100, 6)


def tax_basis(catalog: Catalog, *, country: str | None = None, percent: float | None = None) -> TaxBasis:
    """The tax for `--country` (the country's rate in force on the catalog's date: Germany's 16 % in
    2020-07..12) or `--tax-rate` (a percentage)."""
    if country is not None and percent is not None:
        raise AdvisorError("give either --country or --tax-rate, not both")
    if percent is not None:
        if not 0 <= percent < 100:
            raise AdvisorError(
                f"--tax-rate: expected a percentage from 0 to below 100 (8.7 for 8.7 %), got {percent:g}"
            )
        return TaxBasis("given", percent / 100 + 0.0)  # + 0.0: a typed -0 is 0, never shown as '-0 %'
    if country is not None:
        try:
            found = catalog.tax_rate_for(country)
        except CatalogError as error:
            raise AdvisorError(f"--country: {error} with --tax-rate") from None
        return TaxBasis("country", found.rate, found)
    return TaxBasis("none")


def priced_catalog(as_of: date | None, home: Path, catalog_file: Path | None, *, country: str | None = None,
                   tax_rate: float | None = None) -> tuple[Catalog, TaxBasis]:
    """The catalog in force on `as_of` (the user's own merged over the shipped one) and the tax prices
    are shown with: what `plans`, `units` and `recommend` all start from."""
    catalog = load_catalog(as_of, override=user_catalog(home, catalog_file))
    return catalog, tax_basis(catalog, country=country, percent=tax_rate)
