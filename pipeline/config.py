"""The validated configuration: config/pipeline.toml (stage order, stage settings) and
every layer of config/policy.toml, checked against the stages' declared settings
(pipeline.stages); any problem is one line naming the file, the line and the key.

    stages_of(res)            # the configured stages, declared and in a valid order
    check_project(res, corpus) # also: policy tables of known witnesses, rule scopes
"""
from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from pipeline.context import Resources
from pipeline.errors import EditionError
from pipeline.rules import load_rules
from pipeline.stages import Stage, get, ordered
from pipeline.tomlio import display_path, first_error, line_in_table, load_toml
from pipeline.witnesses import Corpus

LANGUAGES = ("en", "ru")
POLICY_LAYERS = ("default", "language", "files", "witness")


def stages_of(res: Resources) -> list[Stage]:
    """The stages of config/pipeline.toml, validated once per Resources (order, settings, policy)."""
    cached = res.__dict__.get("_stages")
    if cached is None:
        cached = res.__dict__["_stages"] = _check_pipeline(res)
        check_policy(res, None)
    return cached


def check_project(res: Resources, corpus: Corpus | None) -> None:
    """Everything `edition run` checks before any work: the pipeline, the policy (with the
    witness ids of raw/witnesses.toml) and the rules (a scope naming an unknown witness)."""
    stages_of(res)
    if corpus is not None:
        ids = {w.id for w in corpus.witnesses}
        check_policy(res, ids)
        if "rules" in res.__dict__:  # loaded already (Resources.rules): read again for their scopes
            load_rules(res.data_root, ids)
        else:  # read once for the run: what Resources.rules gives, the scopes checked as they are read
            res.__dict__["rules"] = load_rules(res.data_root, ids)


def _check_pipeline(res: Resources) -> list[Stage]:
    path = res.data_root / "config" / "pipeline.toml"
    shown = display_path(path)
    data = res.config  # as the run uses it (a benchmark may set it); the file gives the line numbers
    text = load_toml(path)[1] if path.exists() else ""
    names = data.get("stages")
    line = line_in_table(text, [], "stages")
    if not names:
        raise EditionError(shown, 'no stages: set stages = ["decode", "layout", ...]', line=line)
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise EditionError(shown, "'stages' must be a list of stage names", line=line)
    stages = ordered(names, shown, line)
    for key, table in data.items():
        if key == "stages":
            continue
        try:
            st = get(key, shown)
        except EditionError:
            raise EditionError(shown, f"unknown key {key!r} (neither 'stages' nor a stage's table)",
                               line=line_in_table(text, [key]) or line_in_table(text, [], key)) from None
        _validate(st, table, [key], shown, text)
    return stages


def check_policy(res: Resources, witness_ids: set[str] | None) -> None:
    """Every layer of config/policy.toml: [default.<stage>], [language.<code>.<stage>],
    [files.<stage>], [witness.<id>.<stage>]; each stage table against its settings."""
    path = res.data_root / "config" / "policy.toml"
    if not path.exists():
        return
    shown = display_path(path)
    data, text = load_toml(path)
    for layer, value in data.items():
        if layer not in POLICY_LAYERS:
            raise EditionError(shown, f"unknown policy layer [{layer}] (expected {', '.join(POLICY_LAYERS)})",
                               line=line_in_table(text, [layer]) or line_in_table(text, [], layer))
        _need_table(value, [layer], shown, text)
        if layer in ("default", "files"):
            _stage_tables(value, [layer], shown, text)
            continue
        for sub, tables in value.items():
            where = [layer, sub]
            if layer == "language" and sub not in LANGUAGES:
                raise EditionError(shown, f"[language.{sub}]: unknown language (expected {', '.join(LANGUAGES)})",
                                   line=line_in_table(text, where))
            if layer == "witness" and witness_ids is not None and sub not in witness_ids:
                raise EditionError(shown, f"[witness.{sub}]: no witness {sub!r} in raw/witnesses.toml",
                                   line=line_in_table(text, where))
            _need_table(tables, where, shown, text)
            _stage_tables(tables, where, shown, text)


def _need_table(value: Any, where: list[str], shown: str, text: str) -> None:
    if not isinstance(value, dict):
        raise EditionError(shown, f"{'.'.join(where)} must be a table", line=line_in_table(text, where[:-1], where[-1]))


def _stage_tables(tables: dict, where: list[str], shown: str, text: str) -> None:
    for name, table in tables.items():
        try:
            st = get(name, shown)
        except EditionError:
            raise EditionError(shown, f"[{'.'.join(where + [name])}]: unknown stage {name!r}",
                               line=line_in_table(text, where + [name]) or line_in_table(text, where, name)) from None
        _need_table(table, where + [name], shown, text)
        _validate(st, table, where + [name], shown, text)


def _validate(st: Stage, table: Any, where: list[str], shown: str, text: str) -> None:
    try:
        st.settings.model_validate(table)
    except ValidationError as exc:
        key, msg = first_error(exc)
        raise EditionError(shown, f"[{'.'.join(where)}] {msg}", line=line_in_table(text, where, key)) from None
