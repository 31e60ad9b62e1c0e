"""Cells written to exported spreadsheets (xlsx and CSV): never a live formula, never a broken file.

Every export passes text through ``safe_cell``: a name typed as ``=HYPERLINK(...)`` or ``@SUM(...)`` is
shown as text instead of running when the file is opened (CSV/formula injection), and control characters
that XML cannot hold (a NUL byte in a name) are dropped instead of making openpyxl refuse the whole file.
Numbers, dates and None pass unchanged, so they stay numbers in Excel.
"""

import re

from django_tables2.export import TableExport
from tablib import Dataset

# What XML 1.0 cannot hold (openpyxl refuses these with IllegalCharacterError); tab, LF and CR are kept.
ILLEGAL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# Spreadsheet programs start a formula on these, also after a leading tab or carriage return.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_text(text: str) -> str:
    text = ILLEGAL_CHARACTERS.sub("", text)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def safe_cell(value):
    """The value to write into an exported cell."""
    return safe_text(value) if isinstance(value, str) else value


def safe_row(values) -> list:
    return [safe_cell(v) for v in values]


class SafeTableExport(TableExport):
    """django-tables2's export with every text cell passed through ``safe_cell``."""

    def table_to_dataset(self, table, exclude_columns, dataset_kwargs=None):
        dataset = super().table_to_dataset(table, exclude_columns, dataset_kwargs)
        return Dataset(*[tuple(safe_row(row)) for row in dataset], headers=safe_row(dataset.headers or []),
                       title=dataset.title)
