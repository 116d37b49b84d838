"""Rejections of whole files, with one sentence a data clerk understands (in Chinese)."""

from __future__ import annotations

from collections.abc import Iterable

from pipelines.core import texts
from pipelines.ingest.contracts import Contract


class FileRejected(Exception):
    """The file cannot be ingested at all; `message` says what to fix."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message
        self.unmapped: tuple[str, ...] = ()  # header cells no field names (a missing column's near misses)
        self.missing: tuple[str, ...] = ()  # required fields without a column


def rejection(case: str, file: str, contract: Contract | None = None, fields: Iterable[str] = (),
              **values) -> FileRejected:
    """The rejection of the file named `file` for `case`, a key of `texts.REJECTIONS` (the reject code,
    or `code:case`). `fields` are canonical field names of `contract`: the text names them by their
    labels. The contract also gives the source's title and the formats it accepts."""
    if contract is not None:
        values.setdefault("title", contract.title)
        values.setdefault("formats", "、".join(dict.fromkeys(texts.FORMAT_TITLES.get(f, f) for f in contract.formats)))
        values["fields"] = "、".join(contract.field(f).title for f in fields)
    return FileRejected(case.partition(":")[0], texts.REJECTIONS[case].format(file=file, **values))
