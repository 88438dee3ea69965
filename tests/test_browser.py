"""The reports in a real browser, read: a proofreader opens them from the file system, moves
through the changes, filters by kind, reads the clean text; the largest witness opens and
filters in under a second; hostile witness text is shown literally. (Decisions made, exported,
saved and run again: tests/test_browser_review.py; the browser and its page: tests/conftest.py.)
"""
from __future__ import annotations

import json
import time

import pytest

from tests.browser import BIG, WID, browser_cpu, in_page_open, needs_chromium, open_report, page_data, shot
from tests.conftest import changes_of

pytestmark = needs_chromium


@pytest.fixture(scope="module")
def project(built):
    """The session's run of the real pipeline (read-only: a test that writes copies it)."""
    return built.root


def test_index_opens_and_links_to_every_witness_and_the_translation_shows_its_original(project, page):
    """The index links every witness; the translation's page it opens (read there: one page load
    less) shows the original's aligned sentence beside its changes and queries, and its text view
    is its clean text (test_text_view_is_the_clean_text_of_every_witness reads the others')."""
    # `project` first: the session's run is made before the browser starts, so the other worker,
    # whose next file needs that run too, waits for it as little as possible
    page.goto((project / "reports" / "index.html").as_uri())
    shot(page, "index")
    rows = page.locator("table.witnesses tbody tr")
    assert rows.count() == 5
    assert page.locator(f"#w-{BIG}").inner_text().startswith(BIG)
    page.locator(f"#w-{WID} a", has_text="changes & review").click()
    page.wait_for_selector('html[data-ready="1"]')
    assert page.url.endswith(f"{WID}.changes.html")
    assert page.locator("h1").inner_text() == WID
    data = page_data(page)
    assert data["pivot"]["id"] == "kollontai-ru"
    ev = page.locator("#changes .chg .pivot").first
    assert ev.inner_text().startswith("kollontai-ru: ")
    assert any("\u0400" <= ch <= "\u04ff" for ch in ev.inner_text())  # Cyrillic: the original's sentence
    page.click('.tabs button[data-tab="queries"]')
    assert page.locator("#queries .qry .pivot").count() > 0
    shot(page, "translation-queries")
    page.click('.tabs button[data-tab="text"]')
    clean = (project / "clean" / f"{WID}.txt").read_text(encoding="utf-8")
    assert text_view_paragraphs(page) == clean.rstrip("\n").split("\n\n"), WID


def test_largest_witness_opens_and_filters_in_under_a_second_and_shows_its_layout(page, project):
    """The largest witness opens and filters in under a second; then, on the same page (a load of
    the largest page less), its whole text: page breaks marked, footnotes written at the end, a
    change leads back to the list."""
    path = project / "reports" / f"{BIG}.changes.html"
    cpu = browser_cpu()
    opened = open_report(page, path)
    opened_cpu = browser_cpu() - cpu
    data = page_data(page)
    n = len(data["changes"])
    assert n == len(changes_of(project, BIG)) and n > 500
    shot(page, "russian-open")
    kinds: dict[str, int] = {}
    for c in data["changes"]:
        kinds[c[6]] = kinds.get(c[6], 0) + 1
    kind = min(kinds, key=lambda k: (kinds[k], k))  # the rarest kind
    took: dict[str, tuple[float, float]] = {}  # action -> (wall seconds, the browser's CPU seconds)

    def timed(action: str, *steps) -> None:
        cpu, t = browser_cpu(), time.perf_counter()
        for step in steps:
            step()
        took[action] = (time.perf_counter() - t, browser_cpu() - cpu)

    # everything, in text order (the default shows what needs a look first)
    timed("show everything", lambda: page.select_option("#f-view", "all"),
          lambda: page.wait_for_function(f"document.getElementById('shown').textContent === '{n:,} changes'"))
    timed("filter by kind", lambda: page.select_option("#f-kind", kind),
          lambda: page.wait_for_function(f"document.getElementById('shown').textContent.startsWith('{kinds[kind]:,} of')"))
    shown = page.locator("#changes .chg")
    assert shown.count() == kinds[kind]
    assert all(p == kind for p in shown.locator(".meta .pill:first-child").all_text_contents())
    timed("unfilter", lambda: page.select_option("#f-kind", ""),
          lambda: page.wait_for_function(f"document.getElementById('shown').textContent === '{n:,} changes'"))
    timed("search", lambda: page.fill("#f-text", "[^1]"),
          lambda: page.wait_for_function(f"document.getElementById('shown').textContent !== '{n:,} changes'"))
    page.fill("#f-text", "")
    # a concordance: group by reading, then the largest group
    timed("group by reading", lambda: page.select_option("#f-groupby", "reading"),
          lambda: page.select_option("#f-group", page.evaluate("document.getElementById('f-group').options[1].value")),
          lambda: page.wait_for_function("document.getElementById('shown').textContent.includes(' of ')"))
    in_browser = page.evaluate("window.reportFilterMs") / 1000
    script = page.evaluate("window.reportRenderMs")
    ready = in_page_open(page)
    print(f"\n{BIG}: {n} changes; open {ready:.3f}s in the browser ({opened:.3f}s wall, {opened_cpu:.2f}s of the "
          f"browser's CPU, script {script:.0f} ms); " + ", ".join(f"{a} {w:.3f}s ({c:.2f}s CPU)" for a, (w, c) in took.items())
          + f" (last filter {in_browser:.3f}s in the browser)")
    # Under a second of the browser's CPU for each: what the page costs, whatever else the machine
    # runs. The wall clock (the test driver's round trips included) is bounded too, loosely: on this
    # shared two-core machine a filter of ~0.2 s took 1.06 s at a load of 7 (processes waiting for a
    # core); 3 s still fails a page that waits (a timer, a poll) or works in another process.
    assert opened_cpu < 1.0 and all(c < 1.0 for _, c in took.values()), (opened_cpu, took)
    assert opened < 3.0 and all(w < 3.0 for w, _ in took.values()), (opened, took)
    # the text view (whatever the filters above: it shows the whole text)
    t = time.perf_counter()
    page.click('.tabs button[data-tab="text"]')
    blocks = page.locator("#text .tblock")
    clean = (project / "clean" / f"{BIG}.txt").read_text(encoding="utf-8")
    assert blocks.count() == clean.count("\n\n") + 1  # one block per clean paragraph
    print(f"\ntext view of {BIG}: {blocks.count()} paragraphs in {time.perf_counter() - t:.3f}s")
    paras = clean.rstrip("\n").split("\n\n")
    assert text_view_paragraphs(page) == paras
    if any("page break" in c[11] for c in data["changes"]):
        assert page.locator("#text .pb").count() == sum("page break" in c[11] for c in data["changes"])
    notes = [p for p in paras if p.startswith("[^")]
    if notes:
        assert page.locator("#text ins", has_text=notes[0][:20]).count() >= 1
    page.click('#tab-text .seg button[data-mode="side"]')
    assert page.locator("#text .tblock .traw").count() == blocks.count()
    shot(page, "russian-text-side")
    page.locator("#text del").first.click()
    page.wait_for_selector("#tab-changes:not([hidden]) .chg.flash")


def text_view_paragraphs(page) -> list[str]:
    """Each block's clean text, without what was removed (del) and the page-break badges (handed
    over as one JSON string: Playwright serializes a list of strings value by value)."""
    texts = page.evaluate("""() => JSON.stringify(Array.from(document.querySelectorAll('#text .tcln')).map(el => {
        const c = el.cloneNode(true); c.querySelectorAll('del, .pb').forEach(x => x.remove());
        c.querySelectorAll('ins.empty').forEach(x => x.remove());
        c.querySelectorAll('.sym').forEach(x => x.replaceWith(x.textContent === '\u21b5' ? '\\n' : '?'));
        return c.textContent; }))""")
    return [x.rstrip("\n") for x in json.loads(texts)]


def test_text_view_is_the_clean_text_of_every_witness(page, project):
    """Every witness but two whose pages other tests open and whose text views they read and compare
    in the same way (a page load less each): the largest (test_largest_witness_...) and the
    translation (test_index_...)."""
    wids = [p.stem for p in sorted((project / "raw").glob("*.txt"))]
    assert BIG in wids and WID in wids
    for wid in wids:
        if wid in (BIG, WID):
            continue
        open_report(page, project / "reports" / f"{wid}.changes.html")
        page.click('.tabs button[data-tab="text"]')
        clean = (project / "clean" / f"{wid}.txt").read_text(encoding="utf-8")
        assert text_view_paragraphs(page) == clean.rstrip("\n").split("\n\n"), wid


def test_side_by_side_and_decisions_kept_in_the_browser_then_the_keyboard(page, project):
    """Side by side; a decision kept in the browser over a reload, then discarded. Then, on the same
    page (a load of the largest page less), the keyboard: j/k move, a/r decide; a pure layout change
    over a line break cannot be rejected (a hard wrap would stay)."""
    path = project / "reports" / f"{BIG}.changes.html"
    open_report(page, path)
    page.click('.seg button[data-mode="side"]')
    first = page.locator("#changes .chg").first
    assert first.locator(".side .lbl").all_inner_texts() == ["RAW", "CLEAN"] or \
        [t.lower() for t in first.locator(".side .lbl").all_inner_texts()] == ["raw", "clean"]
    shot(page, "russian-side-by-side")
    page.select_option("#f-layout", "page break")
    rows = page.locator("#changes .chg")
    assert rows.count() > 0
    assert all("page break" in t for t in rows.locator(".meta").all_text_contents())
    rows.first.locator("button.a").click()
    page.reload()
    page.wait_for_selector('html[data-ready="1"]')
    assert page.locator("#unsaved").inner_text() == "1 not yet in the review file"
    page.click('.tabs button[data-tab="decisions"]')
    page.click("#discard-local")
    assert page.dialogs and "Discard 1" in page.dialogs[-1]
    assert page.locator("#unsaved").is_hidden()
    # the keyboard, from the changes tab (the page as reloaded: no filter, no decision of its own)
    page.click('.tabs button[data-tab="changes"]')
    page.select_option("#f-view", "all")
    data = page_data(page)
    page.keyboard.press("j")
    page.keyboard.press("a")  # accepts the first change, moves on
    first = data["changes"][0][0]
    assert "acc" in page.locator(f"#c-{first}").get_attribute("class")
    assert "cur" in page.locator("#changes .chg").nth(1).get_attribute("class")
    page.locator(f"#c-{first} a.note-add").click()  # an accepted change gets a note only on demand
    page.locator(f"#c-{first} input.note-in").fill("fine")
    page.locator(f"#c-{first} input.note-in").press("Enter")
    page.locator("h1").click()
    page.keyboard.press("k")
    page.keyboard.press("u")
    assert "acc" not in page.locator(f"#c-{first}").get_attribute("class")
    page.select_option("#f-rule", "layout.line-join")
    row = page.locator("#changes .chg").first
    assert row.locator("button.r").is_disabled() and not row.locator("button.a").is_disabled()


def test_hostile_witness_is_shown_literally(page, hostile):
    from tests.test_report import HOSTILE_RAW
    root = hostile
    page.goto((root / "reports" / "index.html").as_uri())
    assert "<b>bold</b>" in page.locator("body").inner_text()
    assert page.locator("table.witnesses b:has-text('bold')").count() == 0 or \
        page.locator("table.witnesses td b").first.inner_text() == "hostile"
    open_report(page, root / "reports" / "hostile.changes.html")
    page.select_option("#f-view", "all")
    assert page.evaluate("window.__pwned === undefined")
    assert page.locator("img").count() == 0 and page.locator("#changes script").count() == 0
    assert page.title() == "hostile: changes and review"
    text = page.locator("#changes").text_content()
    assert 'window.__pwned=1"> and &amp; and &lt;b&gt;' in text
    assert "</script><script>window.__pwned=2</script>" in text
    assert "BEL" in text and "ESC" in text and "VT" in text and "U+202E" in text  # as visible labels
    assert "\x07" not in text and "\x1b" not in text and "\u202e" not in text
    page.click('.seg button[data-mode="side"]')
    assert 'window.__pwned=1"> and &amp; and &lt;b&gt;' in page.locator("#changes").text_content()
    page.click('.tabs button[data-tab="text"]')
    whole = page.locator("#text").text_content()
    assert '<img src=x onerror="window.__pwned=1">' in whole and 'Title <script>alert("x")</script> & "quotes"' in whole
    assert "\U0001d504\U0001d505 math and emoji \U0001f600" in whole  # astral characters: offsets right
    page.click('.tabs button[data-tab="queries"]')
    assert '<img src=x onerror="window.__pwned=1">' in page.locator("#queries").text_content()
    shot(page, "hostile")
    data = page_data(page)
    assert data["raw"] == HOSTILE_RAW
    assert page.evaluate("window.__pwned === undefined") and not page.dialogs
    # a witness that needs no change at all
    open_report(page, root / "reports" / "plain.changes.html")
    assert "No changes" in page.locator("#changes").inner_text()
    page.click('.tabs button[data-tab="text"]')
    assert page.locator("#text .tcln").inner_text().startswith("A clean line.")


def test_hyphens_of_one_kind_turned_round_and_a_rule_group_links_to_other_witnesses(page, project):
    """Guiguts' "remove every hyphen of this kind": group by rule, one click, one decision each. Then,
    on the same page, the concordance reaches across the edition: a rule's group links to its
    changes elsewhere."""
    open_report(page, project / "reports" / f"{WID}.changes.html")
    data = page_data(page)
    ids = [c[0] for c in data["changes"] if "hyphen.compound" in c[5].split("+") and not c[3].strip()]
    assert ids
    page.select_option("#f-groupby", "rule")
    page.select_option("#f-group", "hyphen.compound")
    assert page.locator("#hyphen-shown").inner_text() == f"turn {len(ids)} hyphen{'s' if len(ids) != 1 else ''} round"
    page.click("#hyphen-shown")
    exported = page.evaluate("window.reviewToml()")
    for cid in ids:
        assert f'id = "{cid}"\naction = "hyphen"' in exported
    shot(page, "hyphens-turned")
    rule, where = next(iter(sorted(data["elsewhere"]["rules"].items(), key=lambda kv: (-len(kv[1]), kv[0]))))
    page.select_option("#f-groupby", "rule")
    page.select_option("#f-group", rule)
    links = page.locator("#f-elsewhere a")
    assert links.count() == len(where)
    other, n = where[0]
    links.first.click()
    page.wait_for_selector('html[data-ready="1"]')
    assert page.url.split("#")[0].endswith(f"{other}.changes.html")
    assert page.locator("#f-group").input_value() == rule
    shown = page.locator("#shown").inner_text()
    assert shown.startswith(f"{n:,} of") or shown == f"{n:,} changes"
    shot(page, "concordance-elsewhere")
