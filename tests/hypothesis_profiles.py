"""Hypothesis profiles, chosen by SENDFLOW_HYPOTHESIS_PROFILE (tests/conftest.py loads one).

- `dev` (the default, `make test`): half hypothesis's usual number of examples, to keep the
  suite quick on every change; still a fresh random draw every run.
- `ci` (`.ci/run` sets it): twice the usual number, and a failing example printed as a blob that
  `@reproduce_failure` replays.

Properties are about dates, not speed: a shared 2-core machine can take more than hypothesis's
200 ms per example, and a benchmark script, not a test, measures speed. So no deadline in either.
"""

import os

from hypothesis import settings

settings.register_profile("dev", deadline=None, max_examples=50)
settings.register_profile("ci", deadline=None, max_examples=200, print_blob=True)

PROFILE = os.environ.get("SENDFLOW_HYPOTHESIS_PROFILE", "dev")


def load() -> None:
    settings.load_profile(PROFILE)


def examples(usual: int) -> int:
    """A test that asks for `usual` examples (at hypothesis's default of 100) gets its share of
    the loaded profile's: half under `dev`, twice under `ci`; never fewer than 10."""
    return max(10, usual * settings().max_examples // 100)
