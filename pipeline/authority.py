"""The name authority (rules/names.toml): one canonical form per person and body.

Each [[name]] gives the canonical romanised form (Library of Congress style as in
Allen's volume: Shliapnikov, Tsiurupa, Kollontai; conventional forms for the
famous: Lenin, Trotsky, Zinoviev, Bukharin), the Cyrillic form, and the variants
seen in the witnesses. The Dreadnought's "Zarupa, the People's Commisnr of
Supplies" is Цюрупа: the variant "Zarupa" maps to "Tsiurupa".

    [[name]]
    id = "tsiurupa"
    type = "person"
    canonical = "Tsiurupa"
    cyrillic = "Цюрупа"
    variants = ["Zarupa", "Tsyurupa", "Tsurupa"]
    note = "A. D. Tsiurupa (1870-1928), People's Commissar of Supplies"
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from pipeline.errors import EditionError
from pipeline.tomlio import display_path, header_lines, load_toml, validate


class NameEntry(BaseModel):
    """One person or body of the authority."""

    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_\-]*$")
    type: Literal["person", "body", "place"]
    canonical: str = Field(min_length=1)
    cyrillic: str = ""
    variants: list[str] = []
    # forms that are correct in some witness but not canonical (e.g. Lenin's Collected
    # Works "Shlyapnikov"): never a query in a report-only witness, normalised elsewhere
    forms: list[str] = []
    note: str = ""


@dataclass
class Authority:
    """The authority with lookup tables: form -> entry."""

    entries: list[NameEntry] = field(default_factory=list)
    lines: dict[str, int] = field(default_factory=dict)
    path: Path | None = None

    def __post_init__(self):
        self.by_variant: dict[str, NameEntry] = {}
        self.by_form: dict[str, NameEntry] = {}
        for e in self.entries:
            self.by_form[e.canonical] = e
            for v in e.variants + e.forms:
                self.by_variant[v] = e
                self.by_form[v] = e
        self.lower_forms = {f.lower(): e for f, e in self.by_form.items()}
        self.cyrillic = {e.cyrillic: e for e in self.entries if e.cyrillic}
        self._variant_tables: dict[bool, dict[str, NameEntry]] = {}
        self._persons: dict[str, NameEntry] | None = None

    def variant_table(self, normalise: bool) -> dict[str, NameEntry]:
        """The forms the names stage looks for -> their entry: the variants, and where a witness
        normalises, every listed form of a person or body too (a place keeps its period spelling).
        Made once per authority: every witness of a run asks."""
        table = self._variant_tables.get(normalise)
        if table is None:
            table = self._variant_tables[normalise] = {
                v: e for e in self.entries for v in (e.variants + (e.forms if normalise and e.type != "place" else []))}
        return table

    def persons_in_lower_case(self) -> dict[str, NameEntry]:
        """A person's canonical (Latin, capitalised) name in lower case -> its entry."""
        if self._persons is None:
            self._persons = {e.canonical.lower(): e for e in self.entries
                             if e.type == "person" and e.canonical.isascii() and e.canonical[:1].isupper()}
        return self._persons

    def known(self, word: str) -> bool:
        """Is this word (any case) a form the authority knows: canonical, variant or Cyrillic?"""
        return word in self.by_form or word.lower() in self.lower_forms or word in self.cyrillic

    def canonical_of(self, word: str) -> NameEntry | None:
        return self.by_form.get(word) or self.lower_forms.get(word.lower())


def load_authority(path: Path) -> Authority:
    """Read and validate rules/names.toml; a form claimed by two entries is an error."""
    if not path.exists():
        return Authority()
    data, text = load_toml(path)
    unknown = set(data) - {"name"}
    if unknown:
        raise EditionError(display_path(path), f"unknown top-level key {sorted(unknown)[0]!r} (expected [[name]] tables)")
    entries, lines = [], {}
    owner: dict[str, str] = {}
    headers = header_lines(text, "name")
    for i, table in enumerate(data.get("name", [])):
        e = validate(NameEntry, table, path=path, text=text, array="name", index=i)
        line = headers[i] if i < len(headers) else None
        for form in [e.canonical, *e.variants, *e.forms]:
            if form in owner and owner[form] != e.id:
                raise EditionError(display_path(path), f"[[name]] #{i + 1} ({e.id!r}): form {form!r} "
                                                       f"is already claimed by {owner[form]!r}", line=line)
            owner[form] = e.id
        if e.id in lines:
            raise EditionError(display_path(path), f"[[name]] #{i + 1}: duplicate id {e.id!r}", line=line)
        lines[e.id] = line or 0
        entries.append(e)
    return Authority(entries, lines, path)


# -- transliteration (for matching a romanised name to the Cyrillic of the original) --

_LOC = {"а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z", "и": "i",
        "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
        "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y",
        "ь": "", "э": "e", "ю": "iu", "я": "ia"}


def transliterate(cyrillic: str) -> str:
    """Library of Congress romanisation without diacritics: "Цюрупа" -> "Tsiurupa"."""
    out = []
    for ch in cyrillic:
        lo = ch.lower()
        t = _LOC.get(lo, ch)
        out.append(t.capitalize() if ch != lo and t else t)
    return "".join(out)


def skeleton(name: str) -> str:
    """A romanised name reduced so that the period's spellings meet: Zinovieff, Zinoviev,
    Zinov'ev -> "zinoviev"; Kolontay, Kollontai -> "kolontai"; Shliapnikoff, Shlyapnikov ->
    "shliapnikov"."""
    s = name.lower().replace("'", "").replace("’", "")
    for a, b in (("off", "ov"), ("eff", "ev"), ("ieff", "iev"), ("tz", "ts"), ("ya", "ia"), ("yu", "iu"),
                 ("sky", "skii"), ("skij", "skii"), ("y", "i"), ("j", "zh"), ("w", "v"), ("ll", "l"), ("ck", "k")):
        s = s.replace(a, b)
    return s
