import datetime as dt

import polars as pl

from pipelines.ingest.validate import parse_date, parse_datetime


def test_dates_in_every_spelling_of_the_field():
    texts = ["2025-03-05", "2025/3/5", "2025年3月5日", "20250305", "45721", "2025-03-05 00:00:00", "2025-13-45", "明天"]
    got = pl.DataFrame({"t": texts}).select(d=parse_date(pl.col("t")))["d"].to_list()
    assert got == [dt.date(2025, 3, 5)] * 6 + [None, None]


def test_datetimes_with_and_without_seconds():
    texts = ["2025-03-05 09:12:33", "2025/03/05 09:12:33", "2025-03-05 08:30", "2025-13-45 25:00:00"]
    got = pl.DataFrame({"t": texts}).select(d=parse_datetime(pl.col("t")))["d"].to_list()
    assert got == [dt.datetime(2025, 3, 5, 9, 12, 33), dt.datetime(2025, 3, 5, 9, 12, 33),
                   dt.datetime(2025, 3, 5, 8, 30), None]


def _register(n: int, month_end: dt.datetime, file: int) -> pl.DataFrame:
    """A register of `n` people (the same people every month): a few rows carry a fault each."""
    from tests.pipelines.ingest.build_corpus import G1, make_id

    ids = [make_id(f"51011619{70 + i % 30:02d}0101{i:03d}") for i in range(n)]
    frame = pl.DataFrame({
        "_row": list(range(2, n + 2)), "name": [f"张{i}" for i in range(n)], "id_number": ids,
        "sex": ["男"] * n, "birth_date": ["1970-01-01"] * n, "registration_type": ["户籍"] * n,
        "grid_code": [G1] * n, "residence_status": ["在住"] * n, "phone": ["13812345678"] * n,
        "registered_date": ["2024-12-01"] * n})
    frame = frame.with_columns(
        # row 3 registered after the end of March: too late for the January and February files only
        registered_date=pl.when(pl.col("_row") == 3).then(pl.lit("2025-03-01")).otherwise("registered_date"),
        # row 4 born in the future of every file; row 5 has no name; row 7 repeats row 6's person
        birth_date=pl.when(pl.col("_row") == 4).then(pl.lit("2030年1月1日")).otherwise("birth_date"),
        name=pl.when(pl.col("_row") == 5).then(None).otherwise("name"),
        id_number=pl.when(pl.col("_row") == 7).then(pl.lit(ids[4])).otherwise("id_number"))
    return frame.with_columns(_file=pl.lit(file, pl.Int32), _month_end=pl.lit(month_end))


def test_a_batch_of_repeating_registers_is_checked_as_each_file_alone():
    """The distinct-row path (rows repeated over months are checked once) gives every row exactly the
    outcome it gets in a file of its own, per-row date bounds included."""
    from pipelines.ingest.contracts import default_contracts
    from pipelines.ingest.identity import Pseudonymiser
    from pipelines.ingest.validate import _repeats, validate

    contract = default_contracts()["population"]
    ends = [dt.datetime(2025, m + 1, 1) - dt.timedelta(microseconds=1) for m in (1, 2, 3)]
    files = [_register(600, end, i) for i, end in enumerate(ends)]
    ctx = {"month_end": pl.col("_month_end"), "known_grids": None}
    batch = pl.concat(files)
    assert _repeats(batch, contract)
    landed, quarantined = validate(batch, contract, ctx, Pseudonymiser(b"k"), group="_file")
    alone = [validate(f, contract, ctx, Pseudonymiser(b"k"), group="_file") for f in files]
    assert landed.equals(pl.concat([a[0] for a in alone]))
    assert quarantined.equals(pl.concat([a[1] for a in alone]))
    reasons = quarantined.select("_file", "source_row", "reason_code").rows()
    assert reasons == [(0, 3, "future_date"), (0, 4, "future_date"), (0, 5, "missing_required"),
                       (0, 7, "duplicate_row"), (1, 3, "future_date"), (1, 4, "future_date"),
                       (1, 5, "missing_required"), (1, 7, "duplicate_row"), (2, 4, "future_date"),
                       (2, 5, "missing_required"), (2, 7, "duplicate_row")]
    assert landed.height == 3 * 600 - len(reasons)


def test_rows_are_grouped_by_every_cell_and_nulls_group_together():
    from pipelines.ingest.validate import _groups

    cells = pl.DataFrame({"a": ["x", "x", "x", "y", "x"], "b": [None, None, "", None, None]})
    ids, firsts = _groups(cells)
    assert ids.to_list() == [0, 0, 1, 2, 0]
    assert firsts.to_list() == [0, 2, 3]


def test_a_hash_collision_between_different_rows_falls_back_to_checking_every_row(monkeypatch):
    """Rows are grouped by a 64-bit hash; if two different rows shared it, a second hash tells, and
    every row is then checked on its own: the outcome is the same as without the collision."""
    from pipelines.ingest import validate as v
    from pipelines.ingest.contracts import default_contracts
    from pipelines.ingest.identity import Pseudonymiser

    contract = default_contracts()["population"]
    ends = [dt.datetime(2025, m + 1, 1) - dt.timedelta(microseconds=1) for m in (1, 2)]
    batch = pl.concat([_register(600, end, i) for i, end in enumerate(ends)])
    ctx = {"month_end": pl.col("_month_end"), "known_grids": None}
    expected = v.validate(batch, contract, ctx, Pseudonymiser(b"k"), group="_file")

    real = pl.DataFrame.hash_rows
    collide = lambda self, seed=0: real(self, seed) % 7 if seed == 0 else real(self, seed)  # noqa: E731
    monkeypatch.setattr(pl.DataFrame, "hash_rows", collide)
    assert v._groups(batch.select("name", "id_number")) is None
    got = v.validate(batch, contract, ctx, Pseudonymiser(b"k"), group="_file")
    assert got[0].equals(expected[0]) and got[1].equals(expected[1])
    assert expected[1].height == 8 and expected[0].height == 2 * 600 - 8


def test_dates_read_by_their_exact_spelling_equal_the_general_rule():
    """The usual spellings are read by their exact format, the rest by the general rule: the values
    are the same for every text, including those polars' lenient parser alone would misread."""
    from pipelines.ingest.validate import parse_dates

    dates = ["2025-03-05", "2025-3-5", "20250305", "2025/3/5", "2025/03/05", "+2025-03-05", "2025-02-30", "2025-003-05",
             "2025年3月5日", "45721", "2025-03-05 00:00:00", "2025.3.5", "250305", "明天", None]
    times = ["2025-03-05 09:12:33", "2025-03-05 09:12", "2025-3-5 9:12", "2025/03/05 09:12:33", "2025/3/5 9:12",
             "+2025-03-05 09:12", "2025-03-05 24:00", "2025-03-05T09:12:33", "2025年3月5日 9时12分", "45721.5", None]
    for kind, texts, general in (("date", dates, parse_date), ("datetime", times, parse_datetime)):
        series = pl.Series("t", texts, dtype=pl.String)
        expected = series.to_frame().select(general(pl.col("t"))).to_series()
        assert parse_dates(series, kind).to_list() == expected.to_list(), kind
    assert parse_dates(pl.Series("t", ["+2025-03-05", "2025-3-5"]), "date").to_list() == [None, dt.date(2025, 3, 5)]
