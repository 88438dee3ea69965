"""The process's heap, for stages and steps that make millions of small objects."""
from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def no_cyclic_gc() -> Iterator[None]:
    """Python's cyclic garbage collector paused for the block, and restored as it was.

    Detection and collation make hundreds of thousands to millions of small objects, almost none
    in reference cycles; each of the collector's full passes walks every object of the process
    again (a tenth of detect on ICDAR with the default thresholds; in collation, time growing
    faster than the input). Reference counting still frees everything else; a cycle waits for
    the next pass after the block."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
