"""Fill, once per install (`make install`), the caches a test session would otherwise fill
inside the timed run of a fresh clone, in each xdist worker:

- hypothesis's constants of the project's own modules (.hypothesis/constants, one file per
  source hash): hypothesis draws literals found in local code, and parses every local module
  it sees the first time it generates (about 0.6 s of CPU in each worker, for the pipeline's
  modules); and its table of Unicode categories (.hypothesis/unicode_data);
- the bytecode of the pytest plugin modules pytest rewrites (pytest-xdist's scheduler, session
  and worker modules: only a run with workers imports them), done by the `make install` line
  that collects with `-n 2`.

What hypothesis generates is the same either way: the cache holds what parsing the same source
gives. Run from the project's root (the folder hypothesis keeps .hypothesis in).
"""
from __future__ import annotations

import importlib
import pkgutil

from hypothesis import HealthCheck, given, settings, strategies as st

import pipeline


def import_pipeline() -> int:
    """Import every module of the pipeline (a test session imports a subset of them)."""
    n = 0
    for mod in pkgutil.walk_packages(pipeline.__path__, "pipeline."):
        if mod.name.endswith("__main__"):
            continue
        importlib.import_module(mod.name)
        n += 1
    return n


@settings(max_examples=3, database=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(st.text(), st.lists(st.integers(), min_size=200, max_size=200))
def _draw(text, numbers):
    """Generating reads the Unicode table, and the local modules' constants at the first draw that
    may take one (hypothesis offers one to a draw in twenty: 600 draws all but surely reach it)."""


if __name__ == "__main__":
    import_pipeline()
    _draw()
