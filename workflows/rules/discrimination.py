"""A disability discrimination claim to the Tribunal (Equality Act 2010 Schedule 17)."""

from __future__ import annotations

from workflows.rules.dates import months_starting_with
from workflows.rules.periods import P, Period
from workflows.rules.vocabulary import Owner

PERIODS: tuple[Period, ...] = (
    Period(
        "discrimination_claim",
        ("discrimination_act",),
        months_starting_with,
        6,
        Owner.PARENT,
        "Equality Act 2010 Sch 17 para 4(1)",
        P,
        (
            "No Christmas or August extension applies to discrimination claims (since 21 July "
            "2020), and sendflow does not move this date off a weekend: send the claim early",
            "Conduct over a period counts from its end (para 4(5)); the Tribunal can accept a "
            "late claim, so seek advice if this date has passed",
        ),
        rolled_by="Equality Act time limits",
    ),
)
