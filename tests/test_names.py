"""The name authority (rules/names.toml) and the names stage."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import regex

from pipeline.authority import load_authority, skeleton, transliterate
from pipeline.context import Context, Resources
from pipeline.errors import EditionError
from pipeline.model import Witness
from pipeline.stages import names

ROOT = Path(__file__).resolve().parent.parent


def ctx(mode: str, wid: str = "kollontai-en-dreadnought") -> Context:
    w = Witness(id=wid, file="x.txt", language="en", work="w", role="translation")
    return Context(w, Resources(ROOT), {"names": {"mode": mode}})


def apply(text: str, edits) -> str:
    for e in sorted(edits, key=lambda e: -e.start):
        text = text[:e.start] + e.after + text[e.end:]
    return text


def test_authority_has_the_canonical_forms_of_the_issue():
    a = load_authority(ROOT / "rules" / "names.toml")
    for variant, canonical in [("Zarupa", "Tsiurupa"), ("Shliapnikoff", "Shliapnikov"), ("Trotzky", "Trotsky"),
                               ("Kolontay", "Kollontai"), ("Zinovieff", "Zinoviev")]:
        assert a.by_variant[variant].canonical == canonical
    assert a.cyrillic["Цюрупа"].canonical == "Tsiurupa"
    for name in ("Lenin", "Bukharin", "Lutovinov", "Medvedev"):
        assert a.known(name)


def test_normalise_policy_makes_name_edits():
    text = "No wonder that Zarupa, the People's Commissar ... (Zarupa's own words). Lenin-Zinovieff slogan; as lenin."
    r = names.run(text, ctx("normalise"))
    out = apply(text, r.edits)
    assert "Tsiurupa, the People's" in out and "(Tsiurupa's own words)" in out
    assert "Lenin-Zinoviev slogan" in out and "as Lenin." in out
    assert all(e.kind == "name" for e in r.edits)


def test_report_policy_only_queries_variants_but_repairs_case():
    text = "Zarupa said so, and lenin agreed."
    r = names.run(text, ctx("report", "lenin-trade-unions"))
    assert apply(text, r.edits) == "Zarupa said so, and Lenin agreed."
    assert [q.text for q in r.queries] == ["Zarupa"] and r.queries[0].suggestions == ["Tsiurupa"]


def test_transliteration_and_skeleton():
    assert transliterate("Цюрупа") == "Tsiurupa"
    assert transliterate("Шляпников") == "Shliapnikov"
    assert skeleton("Shliapnikoff") == skeleton("Shlyapnikov") == skeleton("Shliapnikov")


def test_a_form_claimed_twice_is_an_error(tmp_path):
    p = tmp_path / "names.toml"
    p.write_text(textwrap.dedent('''
        [[name]]
        id = "a"
        type = "person"
        canonical = "Tsiurupa"
        variants = ["Zarupa"]

        [[name]]
        id = "b"
        type = "person"
        canonical = "Zurupa"
        variants = ["Zarupa"]
    '''), encoding="utf-8")
    with pytest.raises(EditionError, match="Zarupa") as e:
        load_authority(p)
    assert e.value.line == 8


def test_unknown_field_in_the_authority_names_its_line(tmp_path):
    p = tmp_path / "names.toml"
    p.write_text('[[name]]\nid = "a"\ntype = "person"\ncanonical = "X"\nspelling = "Y"\n', encoding="utf-8")
    with pytest.raises(EditionError, match="spelling") as e:
        load_authority(p)
    assert e.value.line == 5


def test_no_variant_remains_where_the_policy_is_to_normalise(cleaned, resources):
    auth = resources.authority
    for wid, c in cleaned.items():
        if resources.policy(c.witness).get("names", {}).get("mode") != "normalise":
            continue
        for e in auth.entries:
            for v in e.variants:
                assert not regex.search(rf"(?<!\w){regex.escape(v)}(?!\w)", c.text), (wid, v)
        assert not regex.search(r"(?<!\w)lenin(?!\w)", c.text)


def test_dreadnought_names_tsiurupa(cleaned):
    text = cleaned["kollontai-en-dreadnought"].text
    assert "Tsiurupa, the People's Commissar of Supplies" in text
    assert "Shliapnikov's report" in text


def test_iww_names_kollontai_and_trotsky(cleaned):
    text = cleaned["kollontai-en-iww"].text
    assert "Kollontai" in text and "Trotsky" in text and "Trotzky" not in text


def test_lenin_keeps_its_own_romanisation(cleaned):
    assert "Shlyapnikov" in cleaned["lenin-trade-unions"].text


def test_the_names_of_a_russian_original_are_kept_in_the_user_cache(resources, tmp_path, monkeypatch):
    """Resources.original_names: read from the Russian original with its word list once, then kept
    (EDITION_CACHE): a process that needs the Russian word list for nothing else does not load it."""
    monkeypatch.setenv("EDITION_CACHE", str(tmp_path))
    work = "kollontai-workers-opposition"
    made = Resources(resources.root).original_names(work)
    assert {"Цюрупа", "Бубликовы"} & made and list(tmp_path.glob("original-names-*.json"))
    fresh = Resources(resources.root)
    monkeypatch.setattr(fresh, "lexicon", lambda language: pytest.fail("the word list loaded"))
    assert fresh.original_names(work) == made
    assert Resources(resources.root).original_names("lenin-trade-unions") == frozenset()  # no Russian witness
