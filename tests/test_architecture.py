"""The code's shape (docs/ARCHITECTURE.md): data flows one way, and no module imports one
above it. Every import of every module under pipeline/ is read with ast (imports inside
functions count), resolved to a module, and checked against the layer order below."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PIPELINE = Path(__file__).resolve().parent.parent / "pipeline"

# Lowest first. A module may import modules of its own layer or of a lower one.
LAYERS = [
    ["errors", "model", "outputs", "store", "cache", "heap"],  # foundations: no knowledge of the edition's flow; on-disk tables, the run cache, the heap
    ["tomlio", "text", "synth", "russian"],  # TOML with line numbers; the text model; synthetic typeset texts; Russian inflection
    ["witnesses", "review"],                 # raw/witnesses.toml; review/<id>.toml
    ["sources"],                             # raw sources -> text (decode_bytes, read_witness)
    ["lexicon", "authority", "rules", "correct", "wordlist"],  # knowledge: word lists, names, rules, the OCR error model, the project word lists
    ["context"],                             # what a stage may read (Resources, Context)
    ["stages"],                              # the stages, declared (pipeline/stages/__init__.py registry)
    ["config"],                              # config/pipeline.toml and policy.toml, validated
    ["run"],                                 # the runner: stages -> change log and queries
    ["report"],                              # writers of clean/ logs, queries, witnesses.json, HTML
    ["collate"],                             # collation of the clean texts
    ["commands"],                            # the CLI commands
    ["cli", "__main__", "__init__"],         # parse and dispatch
]
LAYER = {name: i for i, names in enumerate(LAYERS) for name in names}


def module_name(path: Path) -> str:
    rel = path.relative_to(PIPELINE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__" and len(parts) > 1:
        parts = parts[:-1]
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PIPELINE.rglob("*.py"))}


def imports(path: Path, known: dict[str, Path]) -> list[tuple[str, int]]:
    """(imported pipeline module, line) for every import in the file, at any depth."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [(a.name, node.lineno) for a in node.names if a.name.startswith("pipeline")]
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("pipeline") and node.level == 0:
            for a in node.names:  # `from pipeline.collate import lexicon` imports the module pipeline.collate.lexicon
                sub = f"{node.module}.{a.name}"
                out.append((sub if sub in known else node.module, node.lineno))
    return [(m, line) for m, line in out if m in known]


def layer_of(module: str) -> int:
    parts = module.split(".")
    key = parts[1] if len(parts) > 1 else "__init__"
    assert key in LAYER, f"{module}: not in the layer order of tests/test_architecture.py (and docs/ARCHITECTURE.md)"
    return LAYER[key]


def graph() -> dict[str, list[tuple[str, int]]]:
    known = modules()
    return {m: imports(p, known) for m, p in known.items()}


@pytest.fixture(scope="module")
def import_graph() -> dict[str, list[tuple[str, int]]]:
    """graph(), read once for the two checks below (every module parsed once, not twice)."""
    return graph()


def test_every_module_has_a_layer():
    for m in modules():
        layer_of(m)


def test_no_import_points_upward(import_graph):
    upward = [f"{m} (layer {layer_of(m)}) imports {t} (layer {layer_of(t)}) at line {line}"
              for m, targets in import_graph.items() for t, line in targets if layer_of(t) > layer_of(m)]
    assert upward == []


def cycles_in(g: dict[str, list[str]]) -> list[list[str]]:
    """The import cycles of a module graph (each as the path that closes it)."""
    state: dict[str, int] = {}
    found: list[list[str]] = []

    def visit(m: str, path: list[str]) -> None:
        state[m] = 1
        for t in g.get(m, []):
            if state.get(t) == 1:
                found.append(path[path.index(t):] + [t])
            elif t not in state:
                visit(t, path + [t])
        state[m] = 2

    for m in sorted(g):
        if m not in state:
            visit(m, [m])
    return found


def test_no_import_cycle(import_graph):
    g = {m: sorted({t for t, _ in targets if t != m}) for m, targets in import_graph.items()}
    assert cycles_in(g) == []


def test_the_checker_sees_a_cycle_and_an_upward_import(tmp_path):
    """The checks above can fail: an upward import (inside a function) and a cycle are found."""
    known = {"pipeline.run": tmp_path / "run.py", "pipeline.context": tmp_path / "context.py"}
    (tmp_path / "run.py").write_text("from pipeline.context import Context\n")
    (tmp_path / "context.py").write_text("def f():\n    from pipeline.run import clean_witness\n")
    found = imports(known["pipeline.context"], known)
    assert found == [("pipeline.run", 2)] and layer_of("pipeline.run") > layer_of("pipeline.context")
    g = {m: [t for t, _ in imports(p, known)] for m, p in known.items()}
    assert cycles_in(g) == [["pipeline.context", "pipeline.run", "pipeline.context"]]
