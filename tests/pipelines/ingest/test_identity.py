import datetime as dt
import hashlib
import hmac
import stat

import polars as pl

from pipelines.ingest import identity


def _check(base17: str) -> str:
    total = sum(int(c) * w for c, w in zip(base17, identity.WEIGHTS))
    return identity.CHECK_CHARS[total % 11]


def test_hmac_in_sql_matches_python_hmac():
    key = b"test-key-\x00\xff"
    values = pl.Series(["510116199001011234", "E12345678", None, "510116199001011234"])
    got = identity.hmac_column(values, key).to_list()
    want = [hmac.new(key, v.encode(), hashlib.sha256).hexdigest() if v else None for v in values]
    assert got == want


def test_long_keys_are_hashed_first_as_in_rfc2104():
    key = b"k" * 100
    got = identity.hmac_column(pl.Series(["x"]), key)[0]
    assert got == hmac.new(key, b"x", hashlib.sha256).hexdigest()


def test_id_parts_validate_convert_and_derive():
    good = "11010519491231002" + _check("11010519491231002")
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    old15 = "510116900101123"  # 1990-01-01, sequence 123 (odd: male)
    old18 = "51011619900101123" + _check("51011619900101123")
    frame = pl.DataFrame({"id": [good, bad, old15, "12345", "99011619900101123" + _check("99011619900101123"),
                                 " ".join(good)]})
    out = identity.add_id_columns(frame, "id").rename(lambda c: c.removeprefix("_id_"))
    assert out["error"].to_list() == [None, "invalid_id_checksum", None, "invalid_id_format", "invalid_id_region", None]
    assert out["full"][2] == old18
    assert out["birth"][2] == dt.date(1990, 1, 1)
    assert out["sex"][2] == "男"
    assert out["region"][0] == "110105"


def test_masks_leave_no_number_in_clear():
    frame = pl.DataFrame({"name": ["张三", "欧阳娜娜"], "phone": ["138 1234 5678", None],
                          "text": ["请联系13812345678，身份证510116199001011234。", "无"]})
    out = frame.select(identity.mask_name(pl.col("name")), identity.mask_phone(pl.col("phone")),
                       identity.mask_free_text(pl.col("text")))
    assert out["name"].to_list() == ["张*", "欧***"]
    assert out["phone"].to_list() == ["138****5678", None]
    assert out["text"][0] == "请联系138****5678，身份证[身份证号已隐藏]。"


def test_local_key_file_is_created_private(tmp_path, monkeypatch):
    monkeypatch.delenv("GRIDPULSE_PII_KEY", raising=False)
    path = tmp_path / "data" / ".pii_key"
    key = identity.pii_key(path)
    assert len(key) == 64 and identity.pii_key(path) == key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_the_pseudonymisers_memory_is_bounded_and_never_loses_a_digest():
    """Past its bound the memory starts again, and every value of the call still gets its digest."""
    import hashlib
    import hmac

    from pipelines.ingest.identity import Pseudonymiser

    key = b"k"
    hasher = Pseudonymiser(key, limit=5)
    first = pl.Series([f"v{i}" for i in range(4)])
    second = pl.Series(["v0", "v1", "w0", "w1", "w2", None])  # two known, three new: past the bound
    expect = [hmac.new(key, v.encode(), hashlib.sha256).hexdigest() if v else None for v in second]
    assert hasher.digests(first).null_count() == 0
    assert hasher.digests(second).to_list() == expect
    assert hasher._known.height == 5  # this call's five values only
