"""The dashboard's lookups into the one table of user-facing texts (pipelines/core/texts.py)."""

from pipelines.core.texts import TEXT


def t(key: str, **kwargs) -> str:
    text = TEXT[key]
    return text.format(**kwargs) if kwargs else text


def labels(*keys: str) -> dict[str, str]:
    """Column name -> Chinese header, for tables and downloads."""
    return {k: TEXT.get(k, k) for k in keys}
