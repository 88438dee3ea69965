"""The project's word lists: words a maintainer (or a proofreader's "keep as is") declares
right, so that detection stops asking about them.

    rules/words/<lang>.txt          every witness of that language ("en", "ru")
    rules/words/<witness-id>.txt    one witness only (a spelling of that edition)

One word a line; `#` starts a comment; blank lines are ignored. An entry in lower case
also covers its capitalised forms ("syezdov" covers "Syezdov" at a sentence start); an
entry with capitals matches only as written ("Partiinoye"). A line with a space, a
duplicate, or a file named after no language or witness is an error naming the file and
line (`edition run` stops before any work).

The runner (pipeline.run) drops a non-word or name query about a listed word, and an
automatic correction of one (`detect.*` queries, edits of kind `auto`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import regex

from pipeline.errors import EditionError
from pipeline.model import Query, StageResult

WORDS_DIR = ("rules", "words")
WORD = regex.compile(r"^[\p{L}\p{M}\d][\p{L}\p{M}\d'’.\-]*$")
# queries about one word's spelling (not punctuation, not a split word): the ones a word list answers
WORD_QUERIES = ("detect.nonword", "detect.name", "detect.scanno", "detect.realword")


def words_dir(root: Path) -> Path:
    return root.joinpath(*WORDS_DIR)


def parse_words(text: str, shown: str) -> list[str]:
    """The entries of one word-list file, in file order; problems name the file and line."""
    out: list[str] = []
    seen: dict[str, int] = {}
    for n, line in enumerate(text.splitlines(), 1):
        w = line.split("#", 1)[0].strip()
        if not w:
            continue
        if not WORD.match(w):
            raise EditionError(shown, f"{w!r} is not one word (one word a line; '#' starts a comment)", line=n)
        if w in seen:
            raise EditionError(shown, f"{w!r} is listed twice (first on line {seen[w]})", line=n)
        seen[w] = n
        out.append(w)
    return out


@dataclass(frozen=True)
class WordList:
    """Listed words: exact forms, and lower-case entries that cover any capitalisation."""

    exact: frozenset[str] = frozenset()
    folded: frozenset[str] = frozenset()

    @classmethod
    def of(cls, words: list[str]) -> "WordList":
        return cls(frozenset(words), frozenset(w for w in words if w == w.lower()))

    def __contains__(self, word: str) -> bool:
        return word in self.exact or word.lower() in self.folded

    def __len__(self) -> int:
        return len(self.exact)

    def __or__(self, other: "WordList") -> "WordList":
        return WordList(self.exact | other.exact, self.folded | other.folded)


@dataclass
class WordLists:
    """Every word-list file of a project, read and validated once (Resources.words)."""

    by_name: dict[str, WordList] = field(default_factory=dict)  # file stem -> its words

    def for_witness(self, witness_id: str, language: str) -> WordList:
        return self.by_name.get(language, WordList()) | self.by_name.get(witness_id, WordList())


def load_word_lists(root: Path, names: set[str] | None = None) -> WordLists:
    """rules/words/*.txt of a project; `names` (languages and witness ids), if given, are the
    file names allowed."""
    d = words_dir(root)
    out = WordLists()
    if not d.is_dir():
        return out
    for p in sorted(d.iterdir()):
        shown = "/".join((*WORDS_DIR, p.name))
        if p.is_dir() or p.name.startswith(".") or p.name == "README.md":
            continue
        if p.suffix != ".txt":
            raise EditionError(shown, "a word list is a .txt file named after a language or a witness id")
        if names is not None and p.stem not in names:
            raise EditionError(shown, f"{p.stem!r} is neither a language nor a witness id "
                               f"(expected one of {sorted(names)})")
        out.by_name[p.stem] = WordList.of(parse_words(p.read_text(encoding="utf-8"), shown))
    return out


def add_word(root: Path, name: str, word: str, current: str | None = None) -> tuple[Path, str, bool]:
    """The text of rules/words/<name>.txt (or `current`, its text about to be written) with
    `word` appended (validated), and whether it was new. The caller writes it atomically."""
    path = words_dir(root) / f"{name}.txt"
    shown = "/".join((*WORDS_DIR, path.name))
    old = current if current is not None else path.read_text(encoding="utf-8") if path.exists() else \
        f"# Words of {name} that are right as printed (one a line); detection does not query them.\n"
    words = parse_words(old, shown)
    if word in WordList.of(words):
        return path, old, False
    text = old if old.endswith("\n") or not old else old + "\n"
    text += word.strip() + "\n"
    parse_words(text, shown)  # refuses what is not one word, naming the file
    return path, text, True


def drop_listed(result: StageResult, text: str, words: WordList) -> StageResult:
    """A stage's result without the queries and automatic corrections about listed words."""
    if not words:
        return result
    edits = [e for e in result.edits if not (e.kind == "auto" and text[e.start:e.end] in words)]
    queries = [q for q in result.queries if not (q.rule in WORD_QUERIES and _word_of(q, text) in words)]
    if len(edits) == len(result.edits) and len(queries) == len(result.queries):
        return result
    return StageResult(edits, queries)


def _word_of(q: Query, text: str) -> str:
    return q.text if q.text else text[q.start:q.end]


__all__ = ["WordList", "WordLists", "load_word_lists", "add_word", "drop_listed", "parse_words"]
