"""What the browser tests share (tests/test_browser.py: the pages read;
tests/test_browser_review.py: decisions made, exported, saved through `edition serve`, and
the next run): the witnesses they open and small helpers. The browser and its page are
conftest's `page` fixture.

Chromium's CPU is most of these tests' cost, and most of it is pages loaded and rendered (about
0.3 s of CPU for one of the largest pages; no launch flag measurably lowers it): a test reads
several things on one page rather than load it again, and takes a large value out of the page as
one JSON string (`page_data`), never as a structure Playwright serializes value by value.

Set EDITION_SCREENSHOTS=DIR to keep screenshots of what the tests saw.
"""
from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from tests.conftest import CHROMIUM

BIG = "kollontai-ru"                 # the largest witness
WID = "kollontai-en-dreadnought"     # the one with word-level corrections and queries
LENIN = "lenin-trade-unions"         # English, with non-word queries for words of the period

needs_chromium = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium (`make browser` installs it)")


def shot(page, name: str) -> None:
    out = os.environ.get("EDITION_SCREENSHOTS")
    if out:
        Path(out).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(out) / f"{name}.png"))


def open_report(page, path: Path) -> float:
    """Open a changes page; the seconds until it has rendered its rows (wall clock, test side)."""
    t = time.perf_counter()
    page.goto(path.as_uri())
    page.wait_for_selector('html[data-ready="1"]', timeout=10_000)
    return time.perf_counter() - t


def browser_cpu() -> float:
    """CPU seconds (user and system) used so far by the browser's processes this test process
    started (Chromium's browser, renderer and utility processes under Playwright's driver), read
    from /proc. What a page costs the browser, where the wall clock also counts the time the
    processes waited for a core on a shared machine, and the test driver's round trips."""
    stats: dict[int, tuple[int, str, float]] = {}  # pid -> (parent, command, CPU seconds)
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                stat = Path(entry.path, "stat").read_text()
            except OSError:  # ended meanwhile
                continue
            name = stat[stat.index("(") + 1:stat.rindex(")")]
            fields = stat[stat.rindex(")") + 2:].split()
            stats[int(entry.name)] = (int(fields[1]), name, (int(fields[11]) + int(fields[12])) / _TICKS)
    mine = {os.getpid()}
    grew = True
    while grew:  # the descendants of this process
        new = {pid for pid, (ppid, _, _) in stats.items() if ppid in mine} - mine
        grew = bool(new)
        mine |= new
    return sum(cpu for pid, (_, name, cpu) in stats.items() if pid in mine and name.startswith(_BROWSER))


_TICKS = os.sysconf("SC_CLK_TCK")
_BROWSER = ("chrom", "headless_shell")  # the command names of Chromium's processes (15 characters at most)


def in_page_open(page) -> float:
    """Seconds from the start of navigation to the rows being rendered, as the browser measured them."""
    return page.evaluate("window.reportReadyAt") / 1000


def page_data(page) -> dict:
    """The data the page embeds (its report-data script), parsed here from the script's text as the
    page parses it: the same dict, without Playwright serializing a structure of 1,500 changes value
    by value from the browser (half a second of CPU a call on the largest pages, a tenth of that so)."""
    return json.loads(page.evaluate("document.getElementById('report-data').textContent"))
