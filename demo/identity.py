"""Personal identifiers, vectorised: names, ID numbers (GB 11643, ISO 7064 MOD 11-2), phones."""

from __future__ import annotations

import numpy as np
import polars as pl

from demo import vocab

ID_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
CHECK_CHARS = np.array(list("10X98765432"))
MOBILE_PREFIXES = np.array(
    [f"13{d}" for d in range(10)]
    + ["150", "151", "152", "153", "155", "156", "157", "158", "159"]
    + ["170", "173", "175", "176", "177", "178"]
    + [f"18{d}" for d in range(10)]
    + ["191", "193", "195", "198", "199"]
)

_SURNAMES = np.array(list(vocab.SURNAMES))
_SURNAME_P = np.array(vocab.SURNAME_WEIGHTS[: len(_SURNAMES)], dtype=float)
_SURNAME_P /= _SURNAME_P.sum()


def _chars(text: str) -> np.ndarray:
    return np.array(list(text))


_MALE = _chars(vocab.GIVEN_MALE + vocab.GIVEN_NEUTRAL)
_FEMALE = _chars(vocab.GIVEN_FEMALE + vocab.GIVEN_NEUTRAL)


def surnames(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.choice(_SURNAMES, size=n, p=_SURNAME_P)


def given_names(rng: np.random.Generator, male: np.ndarray) -> np.ndarray:
    n = len(male)
    first = np.where(male, rng.choice(_MALE, n), rng.choice(_FEMALE, n))
    second = np.where(male, rng.choice(_MALE, n), rng.choice(_FEMALE, n))
    two = rng.random(n) < 0.65
    return np.where(two, np.char.add(first, second), first)


def person_names(rng: np.random.Generator, male: np.ndarray, family: np.ndarray | None = None) -> np.ndarray:
    """Full names; `family` (optional) gives the surname to use where it is not empty."""
    own = surnames(rng, len(male))
    if family is not None:
        own = np.where(family != "", family, own)
    return np.char.add(own, given_names(rng, male))


def foreign_names(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.choice(np.array(vocab.FOREIGN_NAMES), n)


def check_chars(bodies: np.ndarray) -> np.ndarray:
    """Check character of each 17-digit body (array of str)."""
    raw = np.frombuffer(np.asarray(bodies).astype("S17").tobytes(), dtype=np.uint8)
    digits = raw.reshape(-1, 17).astype(np.int64) - 48
    return CHECK_CHARS[(digits @ ID_WEIGHTS) % 11]


def ascii_slice(values: np.ndarray, width: int, start: int, stop: int) -> np.ndarray:
    """values[i][start:stop] for fixed-width ASCII strings, without a Python loop."""
    if len(values) == 0:
        return np.array([], dtype=f"<U{stop - start}")
    raw = np.frombuffer(np.asarray(values).astype(f"S{width}").tobytes(), dtype=np.uint8)
    part = np.ascontiguousarray(raw.reshape(-1, width)[:, start:stop])
    return part.view(f"S{stop - start}").ravel().astype(f"<U{stop - start}")


def _yyyymmdd(birth: np.ndarray) -> np.ndarray:
    text = np.datetime_as_string(birth.astype("datetime64[D]"), unit="D")
    return np.char.replace(text, "-", "")


def id_numbers(region: np.ndarray, birth: np.ndarray, seq: np.ndarray) -> np.ndarray:
    """18-digit ID numbers: region (6) + birth date (8) + sequence (3) + check character."""
    if len(region) == 0:
        return np.array([], dtype="<U18")
    body = np.char.add(np.char.add(region.astype("<U6"), _yyyymmdd(birth)), np.char.zfill(seq.astype("<U3"), 3))
    return np.char.add(body, check_chars(body))


def legacy_id_numbers(region: np.ndarray, birth: np.ndarray, seq: np.ndarray) -> np.ndarray:
    """The old 15-digit form of the same person: region + YYMMDD + sequence, no check character."""
    if len(region) == 0:
        return np.array([], dtype="<U15")
    short = ascii_slice(_yyyymmdd(birth), 8, 2, 8)
    return np.char.add(np.char.add(region.astype("<U6"), short), np.char.zfill(seq.astype("<U3"), 3))


def wrong_check(ids: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The same numbers with a wrong last character (always different from the right one)."""
    body = ascii_slice(ids, 18, 0, 17)
    alphabet = np.sort(CHECK_CHARS)
    index = np.searchsorted(alphabet, check_chars(body))
    return np.char.add(body, alphabet[(index + rng.integers(1, 11, len(ids))) % 11])


def passport_numbers(rng: np.random.Generator, n: int, block: int, block_digits: int = 2) -> np.ndarray:
    """`E` + 8 digits; `block` (0-99, or 0-9999 with `block_digits=4`) keeps numbers of different communities apart."""
    width = 8 - block_digits
    tail = rng.choice(10**width, size=n, replace=False)
    head = np.char.zfill(str(block % 10**block_digits), block_digits)
    return np.char.add(np.char.add("E", head), np.char.zfill(tail.astype(f"<U{width}"), width))


# City mode: sequence numbers 001-600 for people registered in the community's own district, 601-998 for
# every other region; odd for men (GB 11643).
LOCAL_BLOCKS, OTHER_BLOCKS, OTHER_BASE = 300, 199, 600
BIRTH_EPOCH = np.datetime64("1900-01-01")


def city_birth_and_sequence(
    region: np.ndarray, birth: np.ndarray, male: np.ndarray, *, district: str, district_index: int,
    district_count: int, global_index: int, global_count: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Birth dates (moved back by a few days at most) and sequence numbers that no other community can give.

    A (birth day, sequence block) pair is numbered `L = day * blocks + block`. Of the people whose region is
    the community's own district, the community owns the pairs with `L % district_count == district_index`
    (only that district's communities hand out its code with sequences 001-600); for every other region it owns
    `L % global_count == global_index` (sequences 601-998). Each person gets the latest owned pair on or
    before their birth day that no one else of the community with the same region and sex holds, so
    (region, birth date, sequence) is unique city-wide whatever the other communities draw.
    """
    n = len(region)
    if n == 0:
        return birth, np.array([], dtype=np.int64)
    local = region == district
    blocks = np.where(local, LOCAL_BLOCKS, OTHER_BLOCKS)
    own = np.where(local, district_index, global_index)
    every = np.where(local, district_count, global_count)
    day = (birth.astype("datetime64[D]") - BIRTH_EPOCH).astype(np.int64)
    latest = (day * blocks + blocks - 1 - own) // every  # owned pairs are L = own + j * every
    # Within a (region, sex) group, sorted by latest pair descending: j_i = min(latest_i, j_{i-1} - 1).
    frame = pl.DataFrame({"r": region, "m": male, "v0": -latest, "i": np.arange(n)}).sort("r", "m", "v0", "i")
    k = pl.int_range(pl.len()).over("r", "m")
    frame = frame.with_columns((k + (pl.col("v0") - k).cum_max().over("r", "m")).alias("v"))
    j = np.empty(n, dtype=np.int64)
    j[frame["i"].to_numpy()] = -frame["v"].to_numpy()
    pair = own + j * every
    seq = np.where(local, 1, OTHER_BASE + 1) + 2 * (pair % blocks) + (~male).astype(np.int64)
    return BIRTH_EPOCH + pair // blocks, seq


def mobile_numbers(rng: np.random.Generator, n: int) -> np.ndarray:
    prefix = rng.choice(MOBILE_PREFIXES, n)
    return np.char.add(prefix, np.char.zfill(rng.integers(0, 100_000_000, n).astype("<U8"), 8))
