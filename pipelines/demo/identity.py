"""Personal identifiers, vectorised: names, ID numbers (GB 11643, ISO 7064 MOD 11-2), phones."""

from __future__ import annotations

import numpy as np

from pipelines.demo import vocab

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


def passport_numbers(rng: np.random.Generator, n: int, block: int) -> np.ndarray:
    """`E` + 8 digits; `block` (0-99) keeps numbers of different communities apart."""
    tail = rng.choice(1_000_000, size=n, replace=False)
    return np.char.add(np.char.add("E", np.char.zfill(str(block % 100), 2)), np.char.zfill(tail.astype("<U6"), 6))


def mobile_numbers(rng: np.random.Generator, n: int) -> np.ndarray:
    prefix = rng.choice(MOBILE_PREFIXES, n)
    return np.char.add(prefix, np.char.zfill(rng.integers(0, 100_000_000, n).astype("<U8"), 8))
