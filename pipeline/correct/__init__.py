"""OCR correction: a learned error model, fast candidates and context scoring.

* model.py       the OCR error model (P(printed | meant) for letter groups), from pipeline/data/ocr_model.json
* learn.py       learns that model from aligned OCR / ground-truth pairs (the dev sets in ../shared/benchmarks)
* align.py       word alignment of an OCR text with its ground truth (used by learn.py and the benchmark)
* candidates.py  corrections for a reading: learned confusions, a SymSpell deletion index, splits
* context.py     P(word | neighbours): symspellpy's English bigrams and the witness's own
* accents.py     accented misreadings ("thé" for "the"): no word of the witness's own
* spaces.py      lost and stray spaces: a word split in two ("ex ercised"), two run together ("ofthe")
* stretches.py   damaged stretches: several non-words close together, one query for the whole run
* budget.py      which queries the budget keeps: those expected to flag the most misread words
"""
