"""Fill, once per install (`make install`), the tables hypothesis keeps in .hypothesis/ that a
test session would otherwise compute inside the timed run of a fresh clone, once in each xdist
worker (CPU seconds measured per process on this machine, loaded; a warm tree reads each in
a few milliseconds):

- the characters UTF-8 can encode (unicode_data/.../codec-v2-utf-8.json.gz), which every
  st.text() without an alphabet draws from: hypothesis encodes each of the 1.1 million code
  points once, 2.1-2.3 s;
- the Unicode categories (unicode_data/.../charmap.json.gz), 0.13-0.24 s;
- the constants of the project's own modules (constants/, one file per source hash): hypothesis
  draws literals found in local code, and parses every local module it sees, 0.66-0.79 s for
  the pipeline's modules.

What hypothesis generates is the same either way: each table holds what computing it again
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
@given(st.text(min_size=5), st.lists(st.integers(), min_size=200, max_size=200))
def _draw(text, numbers):
    """Drawing characters reads both Unicode tables; the local modules' constants are read at the
    first draw that may take one (hypothesis offers one to a draw in twenty: 600 draws all but
    surely reach it)."""


if __name__ == "__main__":
    import_pipeline()
    _draw()
