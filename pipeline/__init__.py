"""edition: turn scanned historical texts into a clean, citable edition.

Every change from raw to clean is an edit with the stage and rule that made it;
see pipeline.text for the change log and pipeline.run for the orchestration.
"""
__version__ = "0.1.0"
