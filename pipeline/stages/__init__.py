"""The cleaning stages: one module each, each a function run(text, ctx) -> StageResult."""
