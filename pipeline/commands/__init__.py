"""The command-line commands, one module per group (pipeline.cli parses and dispatches):

- run.py: `edition run`, `edition clean`, `edition stages`
- rules.py: `edition rules test|check|add`
- report.py: `edition report`
- collate.py: `edition collate`, `edition compare`

A command reads its inputs, calls the library, writes with pipeline.outputs.write_files
(all or nothing) and prints; it holds no knowledge of its own.
"""
