"""The reports in a real browser, decided: a proofreader ticks decisions, exports them or saves
them through `edition serve`; the saved file changes the next `edition run` exactly as
intended. (The pages read: tests/test_browser.py; the browser and its page: tests/conftest.py.)
"""
from __future__ import annotations

import functools
import re

from pipeline.review import dump_review, read_review
from tests.browser import LENIN, WID, needs_chromium, open_report, page_data, shot
from tests.conftest import changes_of, copy_project
from tests.conftest import edition as run_edition

pytestmark = needs_chromium
edition = functools.partial(run_edition, timeout=180)  # a whole edition run inside a browser test


def test_review_loop_tick_export_rerun(page, built, tmp_path):
    """Filter by kind, reject a change, resolve a query, export, save under review/, run again."""
    project = copy_project(built.root, tmp_path / "project")
    before_changes = changes_of(project, WID)
    open_report(page, project / "reports" / f"{WID}.changes.html")
    page.select_option("#f-view", "all")
    data = page_data(page)
    target = next((c for c in data["changes"] if c[6] == "scanno"), None) or \
        next(c for c in data["changes"] if c[6] != "layout")
    kind = target[6]
    page.select_option("#f-kind", kind)
    expected = sum(1 for c in data["changes"] if c[6] == kind)
    assert page.locator("#changes .chg").count() == min(expected, 120)
    row = page.locator(f"#c-{target[0]}")
    row.locator("button.r").click()
    assert "rej" in row.get_attribute("class")
    row.locator("input.note-in").fill("checked against the 1921 print")
    row.locator("input.note-in").press("Tab")
    accepted = data["changes"][0][0]
    page.select_option("#f-kind", "")
    page.locator(f"#c-{accepted} button.a").click()
    shot(page, "dreadnought-ticked")

    query, reading = None, None
    for q in data["queries"]:
        if q["suggestions"]:
            query, reading = q, q["suggestions"][0]
            break
    if query:
        page.click('.tabs button[data-tab="queries"]')
        card = page.locator(f"#q-{query['id']}")
        card.locator("button.sugg").first.click()
        assert "done" in card.get_attribute("class")
    kept = next((q for q in data["queries"] if q is not query), None)
    if kept:
        page.click('.tabs button[data-tab="queries"]')
        card = page.locator(f"#q-{kept['id']}")
        card.locator("button.keep").click()
        assert card.locator(".qstate").inner_text() == "kept as it is"
        shot(page, "dreadnought-queries")
    page.click('.tabs button[data-tab="decisions"]')
    assert page.locator("#decisions tr").count() == 2 + (1 if query else 0) + (1 if kept else 0)
    shot(page, "dreadnought-decisions")

    with page.expect_download() as dl:
        page.click("#export")
    download = dl.value
    assert download.suggested_filename == f"{WID}.toml"
    saved = project / "review" / f"{WID}.toml"
    saved.parent.mkdir(exist_ok=True)
    download.save_as(saved)
    exported = saved.read_text(encoding="utf-8")
    decisions = {d.id: d for d in read_review(saved, witness=WID)}
    assert dump_review(WID, list(decisions.values())) == exported  # the page writes what Python writes
    assert decisions[target[0]].action == "reject" and decisions[target[0]].note == "checked against the 1921 print"
    assert decisions[accepted].action == "accept"
    if query:
        assert decisions[query["id"]].action == "resolve" and decisions[query["id"]].reading == reading
    if kept:
        assert decisions[kept["id"]].action == "accept" and decisions[kept["id"]].reading is None

    r = edition(project, "run", "--quiet", "--only", WID, "--no-collate")  # the reviewed witness is what changes
    assert r.returncode == 0, r.stderr
    assert "stale" not in r.stderr
    after = changes_of(project, WID)
    ids = {c["id"] for c in after}
    assert target[0] not in ids and accepted in ids
    raw = (project / "raw" / f"{WID}.txt").read_text(encoding="utf-8")
    rejected = next(c for c in before_changes if c["id"] == target[0])
    assert raw[rejected["start"]:rejected["end"]] == rejected["before"]
    if kept:  # answered: no longer an open query, and no edit
        tsv = (project / "reports" / f"{WID}.queries.tsv").read_text(encoding="utf-8")
        assert kept["id"] not in tsv
    if query:
        review = [c for c in after if c["kind"] == "review"]
        # the resolution may merge with a neighbouring edit (a line join) into one change
        assert len(review) == 1 and reading.replace("¶", "\n\n") in review[0]["after"] and "review.resolve" in review[0]["rule"]

    # the page of the next run knows the decisions: they come from the file now
    open_report(page, project / "reports" / f"{WID}.changes.html")
    html = (project / "reports" / f"{WID}.changes.html").read_text(encoding="utf-8")
    served = re.search(r'<span id="progress" class="small">([^<]*)</span>', html).group(1)
    assert page.locator("#progress").inner_text() == served  # the page counts as Python does
    assert not served.startswith("0 of")
    assert page.locator(f"#c-{target[0]}").count() == 0
    page.click('.tabs button[data-tab="decisions"]')
    states = page.locator("#decisions tr .flag").all_inner_texts()
    assert states == ["file"] * len(decisions)
    assert "rejected: not applied in this run" in page.locator("#decisions").inner_text()
    shot(page, "dreadnought-after-rerun")


def test_export_escapes_any_text(page, hostile, tmp_path):
    """Control characters, quotes and backslashes in the decisions survive the export and the next run."""
    root = copy_project(hostile, tmp_path / "hostile")
    open_report(page, root / "reports" / "hostile.changes.html")
    page.select_option("#f-view", "all")
    data = page_data(page)
    odd = next(c for c in data["changes"] if "\x07" in data["raw"][c[1]:c[2]])
    page.locator(f"#c-{odd[0]} button.a").click()
    page.locator(f"#c-{odd[0]} a.note-add").click()
    page.locator(f"#c-{odd[0]} input.note-in").fill('a "quoted" note \\ with a backslash')
    page.locator(f"#c-{odd[0]} input.note-in").press("Tab")
    page.click('.tabs button[data-tab="queries"]')
    q = data["queries"][0]
    card = page.locator(f"#q-{q['id']}")
    reading = 'on "error" \\ x'
    card.locator("input").fill(reading)
    card.locator("button.use").click()
    with page.expect_download() as dl:
        page.click("#export")
    saved = root / "review" / "hostile.toml"
    saved.parent.mkdir(exist_ok=True)
    dl.value.save_as(saved)
    ds = {d.id: d for d in read_review(saved, witness="hostile")}
    assert ds[odd[0]].before == data["raw"][odd[1]:odd[2]] and "\x07" in ds[odd[0]].before
    assert ds[odd[0]].note == 'a "quoted" note \\ with a backslash'
    assert ds[q["id"]].reading == reading
    assert dump_review("hostile", list(ds.values())) == saved.read_text(encoding="utf-8")
    r = edition(root, "run", "--quiet")
    assert r.returncode == 0 and "stale" not in r.stderr, r.stderr
    assert reading in (root / "clean" / "hostile.txt").read_text(encoding="utf-8")


def save(page) -> str:
    page.click("#save")
    page.wait_for_function("/^(saved|not saved)/.test(document.getElementById('save-msg').textContent)")
    return page.locator("#save-msg").inner_text()


def test_a_proofreaders_day_through_edition_serve(page, served):
    """Filter to a group and decide it in one action, answer a page-break join with a paragraph
    break, add a word to the word list, save through `edition serve`, run again: the run applies
    exactly those decisions, says so, and the queries for the listed word are gone."""
    root, base = served
    page.goto(f"{base}/reports/{WID}.changes.html")
    page.wait_for_selector('html[data-ready="1"]')
    assert page.locator("#save").is_visible()
    data = page_data(page)
    # a group: every change of one correction rule, rejected at once
    rules: dict[str, int] = {}
    for c in data["changes"]:
        for r in c[5].split("+"):
            rules[r] = rules.get(r, 0) + 1
    rule = min((r for r, n in rules.items() if r.startswith("rule.") and n >= 2), key=lambda r: (-rules[r], r))
    page.select_option("#f-groupby", "rule")
    page.select_option("#f-group", rule)
    assert page.locator("#changes .chg").count() == rules[rule]
    assert page.locator("#reject-shown").inner_text() == f"reject {rules[rule]} shown"
    shot(page, "day-group")
    page.click("#reject-shown")
    assert page.locator("#changes .chg.rej").count() == rules[rule]
    group_ids = {c[0] for c in data["changes"] if rule in c[5].split("+")}
    # a page-break join that was wrong: "paragraph break here"
    page.select_option("#f-groupby", "")
    page.select_option("#f-layout", "page break")
    row = page.locator("#changes .chg:has(button.p)").first
    para_id = row.get_attribute("id")[2:]
    row.locator("button.p").click()
    assert "para" in row.get_attribute("class")
    para = next(c for c in data["changes"] if c[0] == para_id)
    shot(page, "day-paragraph")
    assert save(page).startswith(f"saved {rules[rule] + 1} decisions in review/{WID}.toml")
    assert page.locator("#unsaved").is_hidden()

    # the Lenin volume: a non-word query, kept as is and listed in one click
    page.goto(f"{base}/reports/{LENIN}.changes.html")
    page.wait_for_selector('html[data-ready="1"]')
    ldata = page_data(page)
    page.click('.tabs button[data-tab="queries"]')
    card = page.locator("#queries .qry:has(button.wordadd)").first
    k = int(card.get_attribute("data-k"))
    word = ldata["queries"][k]["text"]
    same = [q["id"] for q in ldata["queries"] if q["text"] == word and q["rule"] in ("detect.nonword", "detect.name")]
    card.locator("button.wordadd").click()
    assert all("done" in page.locator(f"#q-{i}").get_attribute("class") for i in same)
    shot(page, "day-word")
    assert save(page).startswith(f"saved {len(same)} decisions in review/{LENIN}.toml and 1 word(s)")
    assert word in (root / "rules" / "words" / "en.txt").read_text(encoding="utf-8").split()

    # the next run applies exactly those decisions and says so
    r = edition(root, "run", "--quiet", "--only", WID, LENIN, "--no-collate")
    assert r.returncode == 0, r.stderr
    n = rules[rule] + 1
    assert f"review/{WID}.toml: {n} of {n} decisions applied" in r.stderr
    assert f"review/{LENIN}.toml: {len(same)} of {len(same)} decision{'s' if len(same) != 1 else ''} applied" \
        in r.stderr
    assert "stale" not in r.stderr
    after = changes_of(root, WID)
    assert not group_ids & {c["id"] for c in after}
    assert not any(rule in c["rule"].split("+") for c in after)  # the rejected rule applied nowhere
    made = [c for c in after if c["start"] == para[1] and "review.paragraph" in c["rule"]]
    assert len(made) == 1 and made[0]["after"] == "\n\n"
    tsv = (root / "reports" / f"{LENIN}.queries.tsv").read_text(encoding="utf-8")
    assert not [line for line in tsv.splitlines()[1:] if line.split("\t")[3] == word]

    # the next page knows the decisions: from the file now
    page.goto(f"{base}/reports/{WID}.changes.html")
    page.wait_for_selector('html[data-ready="1"]')
    html = (root / "reports" / f"{WID}.changes.html").read_text(encoding="utf-8")
    served_progress = re.search(r'<span id="progress" class="small">([^<]*)</span>', html).group(1)
    assert page.locator("#progress").inner_text() == served_progress  # the page counts as Python does
    page.click('.tabs button[data-tab="decisions"]')
    assert page.locator("#decisions tr .flag").all_inner_texts() == ["file"] * n
    shot(page, "day-after-run")


def test_save_refuses_a_conflict_and_the_page_keeps_the_decisions(page, served):
    root, base = served
    page.goto(f"{base}/reports/{WID}.changes.html")
    page.wait_for_selector('html[data-ready="1"]')
    page.locator("#changes .chg button.a").first.click()
    (root / "review").mkdir(exist_ok=True)
    (root / "review" / f"{WID}.toml").write_text(f'witness = "{WID}"\n', encoding="utf-8")  # edited by hand meanwhile
    msg = save(page)
    assert msg.startswith("not saved:") and "changed since this page was made" in msg
    assert page.locator("#unsaved").inner_text() == "1 not yet in the review file"
    assert (root / "review" / f"{WID}.toml").read_text(encoding="utf-8") == f'witness = "{WID}"\n'


def test_hostile_witness_is_shown_literally_through_serve(page, hostile):
    import threading
    from pipeline.commands.serve import make_server
    server = make_server(hostile, 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        page.goto(f"http://127.0.0.1:{server.server_address[1]}/reports/hostile.changes.html")
        page.wait_for_selector('html[data-ready="1"]')
        page.select_option("#f-view", "all")
        assert page.locator("#save").is_visible()
        assert page.evaluate("window.__pwned === undefined") and page.locator("img").count() == 0
        assert "</script><script>window.__pwned=2</script>" in page.locator("#changes").text_content()
        page.click('.tabs button[data-tab="queries"]')
        assert '<img src=x onerror="window.__pwned=1">' in page.locator("#queries").text_content()
        assert page.evaluate("window.__pwned === undefined") and not page.dialogs
    finally:
        server.shutdown()
        server.server_close()
