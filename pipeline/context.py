"""What a stage may read besides the text: the witness, its policy, and shared data.

Everything here is read-only for stages, and loaded once per run (lexicons, rules,
the name authority), so a stage stays a pure function of one witness plus shared data.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import regex

from pipeline.errors import EditionError
from pipeline.model import Witness
from pipeline.sources import read_raw
from pipeline.tomlio import load_toml
from pipeline.witnesses import load_corpus

PROJECT = Path(__file__).resolve().parent.parent


@dataclass
class Resources:
    """Shared, read-only data for all witnesses of a run (loaded lazily, once)."""

    root: Path = PROJECT

    @cached_property
    def data_root(self) -> Path:
        """Where config/ and rules/ are read from: the project folder, or, when the command
        runs elsewhere (`edition clean ~/scan.txt --out out/`), the edition's own."""
        if (self.root / "config" / "pipeline.toml").exists() or not (PROJECT / "config" / "pipeline.toml").exists():
            return self.root
        return PROJECT

    @cached_property
    def config(self) -> dict[str, Any]:
        """config/pipeline.toml as read (pipeline.config validates it before a run)."""
        return load_toml(self.data_root / "config" / "pipeline.toml")[0]  # a missing file is an error that names it

    def with_stages(self, stages: list[str]) -> "Resources":
        """These resources with only these stages configured (cases scored on the layout's stages:
        benchmarks/layout_bench.py, benchmarks/unseen_bench.py and their tests)."""
        import copy
        cfg = copy.deepcopy(self.config)
        cfg["stages"] = list(stages)
        self.__dict__["config"] = cfg
        return self

    @cached_property
    def policies(self) -> dict[str, Any]:
        path = self.data_root / "config" / "policy.toml"
        return load_toml(path)[0] if path.exists() else {}

    @cached_property
    def rules(self) -> list:
        """The correction rules of rules/*.toml (pipeline.rules), validated once per run
        (their scopes against raw/witnesses.toml by pipeline.config.check_project)."""
        from pipeline.rules import load_rules
        return load_rules(self.data_root)

    @cached_property
    def authority(self):
        """The name authority rules/names.toml (pipeline.authority), loaded once per run."""
        from pipeline.authority import load_authority
        return load_authority(self.data_root / "rules" / "names.toml")

    @cached_property
    def word_lists(self):
        """rules/words/*.txt (pipeline.wordlist), validated once: named after a language or a
        witness of raw/witnesses.toml."""
        from typing import get_args
        from pipeline.wordlist import load_word_lists
        names = set(get_args(Witness.model_fields["language"].annotation))
        try:
            names |= {w.id for w in load_corpus(self.root / "raw").witnesses}
        except EditionError:
            pass  # no catalogue (`edition clean FILE`): languages only
        return load_word_lists(self.data_root, names)

    def words(self, witness: Witness):
        """The listed words of a witness: its language's list and its own (pipeline.wordlist)."""
        return self.word_lists.for_witness(witness.id, witness.language)

    def lexicon(self, language: str):
        """The word list of a language (pipeline.lexicon), loaded once per process and language."""
        from pipeline.lexicon import shared
        return shared(language)

    def original_names(self, work: str) -> frozenset[str]:
        """Capitalised Cyrillic words inside sentences of the work's Russian original
        (raw/witnesses.toml), for matching romanised names ("Rublikoff" ~ «Бубликовы»).
        Read once per run and work; empty if the work has no Russian witness."""
        cache = self.__dict__.setdefault("_original_names", {})
        if work not in cache:
            cache[work] = _cyrillic_names(self.data_root, work, self.lexicon)
            from pipeline.russian import know_nominatives
            know_nominatives(cache[work])  # what detect asks of them, without pymorphy3 where kept
        return cache[work]

    def policy(self, witness: Witness) -> dict[str, Any]:
        """The witness's edition policy: defaults, then its language, then [files] for a plain
        file given on the command line, then its own table."""
        data = self.policies
        merged: dict[str, Any] = {}
        files = data.get("files", {}) if witness.origin == "file" else {}
        for layer in (data.get("default", {}), data.get("language", {}).get(witness.language, {}), files,
                      data.get("witness", {}).get(witness.id, {})):
            for k, v in layer.items():
                if isinstance(v, dict):
                    merged[k] = {**merged.get(k, {}), **v}
                else:
                    merged[k] = v
        return merged


@dataclass
class Context:
    """One witness and the shared resources, as a stage sees them."""

    witness: Witness
    resources: Resources
    policy: dict[str, Any] = field(default_factory=dict)
    # facts stages leave for later stages (e.g. detected encoding); not text
    facts: dict[str, Any] = field(default_factory=dict)

    @property
    def language(self) -> str:
        return self.witness.language


def _cyrillic_names(root: Path, work: str, lexicon) -> frozenset[str]:
    """Capitalised Cyrillic words not at a sentence start in the work's Russian witness,
    and not common words of Russian: the names of the original («Цюрупа», «Бубликовы»).
    Kept in the user cache (pipeline.store.cache_dir), named by the Russian texts and the code
    (pipeline.cache.code_version: the word list's version): a worker cleaning a translation
    needs the Russian word list for nothing else (0.02 s of its CPU to load)."""
    try:
        corpus = load_corpus(root / "raw")
    except EditionError:
        return frozenset()
    texts = [read_raw(corpus, w.id) for w in corpus.witnesses if w.work == work and w.language == "ru"]
    if not texts:
        return frozenset()
    from pipeline.cache import kept_json

    def made() -> list[str]:
        ru = lexicon("ru")
        return sorted({m.group() for text in texts
                       for m in regex.finditer(r"(?<=[\p{Ll},;]\s+(?:тов\.\s+)?)\p{Lu}\p{Ll}{3,}", text)
                       if ru.zipf(m.group()) < 3.0})
    return frozenset(kept_json("original-names", tuple(texts), made,
                               lambda v: isinstance(v, list) and all(isinstance(n, str) for n in v)))
