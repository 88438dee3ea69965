"""Stage *names*: bring names to the authority's canonical form (rules/names.toml).

The Dreadnought writes "Zarupa, the People's Commisnr of Supplies" for Цюрупа:
where the witness's policy (config/policy.toml, `names.mode`) is `normalise`,
every variant the authority lists becomes the canonical form ("Tsiurupa") as an
edit of kind `name`; where it is `report`, the variant is only a query. A person's
name written in lower case ("such personalities as lenin") is repaired in both modes.
"""
from __future__ import annotations

import functools
import re
from typing import Literal

from pipeline.context import Context
from pipeline.model import Edit, Query, StageResult
from pipeline.stages import Settings, stage


def _form_pattern(forms: list[str]) -> re.Pattern:
    return _compiled_forms(frozenset(forms))


@functools.lru_cache(maxsize=64)
def _compiled_forms(forms: frozenset[str]) -> re.Pattern:
    """The forms as one pattern, a whole word each (built once per authority: every witness asks).

    The alternation is written as a trie ("le(?:nin|vit)"): the engine then reads each position
    once instead of trying every form there; at one position the longest form that ends a word
    wins, as in an alternation of the forms longest first."""
    return re.compile(r"(?<!\w)" + _trie(sorted(forms)) + r"(?!\w)")


def _trie(forms: list[str]) -> str:
    node: dict = {}
    for f in forms:
        d = node
        for ch in f:
            d = d.setdefault(ch, {})
        d[""] = {}
    return _trie_pattern(node)


def _trie_pattern(node: dict) -> str:
    alts = [re.escape(ch) + _trie_pattern(child) for ch, child in sorted(node.items()) if ch]
    if not alts:
        return ""
    return "(?:" + "|".join(alts) + ")" + ("?" if "" in node else "")


class NamesSettings(Settings):
    """[default.names] and its layers in config/policy.toml."""

    mode: Literal["normalise", "report"] = "report"  # canonical forms as edits, or variants as queries


@stage("names", kinds=("name",), settings=NamesSettings)
def run(text: str, ctx: Context) -> StageResult:
    """Variants -> canonical (edits or queries, by policy); lower-cased person names -> capitalised."""
    auth = ctx.resources.authority
    if not auth.entries:
        return StageResult()
    mode = ctx.policy.get("names", {}).get("mode", "report")
    normalise = mode == "normalise"
    found: dict[int, tuple[int, str, str, str, str]] = {}  # start -> (end, after, rule, note, kind)
    queries: list[Query] = []
    # places keep their spelling (a period "Donetz" is not damage): only reported
    variants = auth.variant_table(normalise)
    if variants:
        for m in _form_pattern(list(variants)).finditer(text):
            e = variants[m.group()]
            note = f"name variant {m.group()!r} of {e.canonical}" + (f" ({e.cyrillic})" if e.cyrillic else "")
            if normalise and e.type != "place":
                found[m.start()] = (m.end(), e.canonical, f"names.{e.id}", note, "name")
            else:
                queries.append(Query(m.start(), m.end(), m.group(), [e.canonical], 0.55,
                                     f"{note}; report-only witness (policy names.mode = {mode!r})", rule="names.variant"))
    persons = auth.persons_in_lower_case()
    if persons:
        for m in _form_pattern(list(persons)).finditer(text):
            if m.start() in found:
                continue
            e = persons[m.group()]
            found[m.start()] = (m.end(), e.canonical, f"names.case.{e.id}",
                                f"person's name in lower case: {m.group()!r} -> {e.canonical}", "name")
    edits = [Edit(s, end, after, rule, kind, 1.0, note) for s, (end, after, rule, note, kind) in sorted(found.items())]
    return StageResult(edits, queries)
