"""How each community fills its files (messiness, rates) and when it sends them.

Features are laid out over all 24 communities (stratified, so that even the first three
communities show a CSV sender and several layouts); a community's profile never depends on
how many communities a run keeps.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np

from demo import vocab
from demo.common import month_last, next_month, stream

DATE_FORMATS = ("excel", "iso", "slash", "cn", "compact")  # excel = real date cells
CSV_ENCODINGS = ("gbk", "gb18030", "utf-8-sig")
ODD_EVENTS = ("missing_id_column", "resubmitted", "byte_copy", "empty", "corrupt", "no_register", "anonymous")
PREFERRED_MONTH = {
    "missing_id_column": 3, "resubmitted": 8, "byte_copy": 10, "empty": 2, "corrupt": 9, "no_register": 5,
    "anonymous": 6,
}


@dataclass(frozen=True)
class Profile:
    community_code: str
    position: int
    csv_encoding: str | None  # None: the community sends xlsx
    title_rows: int
    merged_header: bool
    notes_sheet: bool
    stats_sheet: bool
    totals: str | None  # "count" (a number under the name column) or "text" (a count phrase there)
    blank_rows: int
    spaced_headers: str | None  # "stray" or "fullwidth"
    fullwidth_rooms: bool
    date_format: str
    sheet_name: str
    aliases: dict[str, str] = field(default_factory=dict)
    tag_separator: str = ";"
    late_share: float = 0.03
    patrol_encoding: str = "utf-8"
    case_rate: float = 0.4
    on_time_share: float = 0.85
    patrol_share: float = 0.85
    satisfied_share: float = 0.85


def _stratified(rng: np.random.Generator, n: int, k: int, first: int | None = None) -> set[int]:
    """k positions out of n, one per consecutive stratum (the first stratum `first` wide)."""
    if first:
        edges = [0, first] + [int(x) for x in np.linspace(first, n, k)[1:]]
    else:
        edges = [int(x) for x in np.linspace(0, n, k + 1)]
    return {int(rng.integers(edges[i], max(edges[i] + 1, edges[i + 1]))) for i in range(k)}


def build_profiles(seed: int, community_codes: list[str], key: tuple = ()) -> dict[str, Profile]:
    """Profiles of all communities of a street (pass its full list of codes, sorted; Huayang has 24).

    `key` (city mode: the street code) gives each street its own layout of features.
    """
    n = len(community_codes)
    rng = stream(seed, "profiles", *key)
    csv_positions = sorted(_stratified(rng, n, 3, first=3))
    encodings = dict(zip(csv_positions, rng.permutation(CSV_ENCODINGS)))
    xlsx = [p for p in range(n) if p not in encodings]

    def pick(k: int) -> set[int]:
        return {xlsx[i] for i in _stratified(rng, len(xlsx), k)}

    merged, notes, stats = pick(4), pick(3), pick(3)
    totals, blanks, spaced, fullwidth = pick(6), pick(6), pick(3), pick(4)
    late = pick(4)
    gbk_patrols = int(rng.integers(n))
    bom_patrols = set(rng.choice(n, min(5, n), replace=False).tolist()) - {gbk_patrols}
    title_offset, format_offset = int(rng.integers(3)), int(rng.integers(5))
    profiles = {}
    for pos, code in enumerate(community_codes):
        local = stream(seed, "profile", code)
        is_csv = pos in encodings
        if is_csv:
            date_format = DATE_FORMATS[1 + (pos + format_offset) % 4]
        else:
            date_format = DATE_FORMATS[(xlsx.index(pos) + format_offset) % 5]
        aliases = {key: str(local.choice(options)) for key, options in vocab.POPULATION_ALIASES.items()}
        profiles[code] = Profile(
            community_code=code,
            position=pos,
            csv_encoding=str(encodings[pos]) if is_csv else None,
            title_rows=0 if is_csv else (xlsx.index(pos) + title_offset) % 3,
            merged_header=pos in merged,
            notes_sheet=pos in notes,
            stats_sheet=pos in stats,
            totals=("count" if local.random() < 0.5 else "text") if pos in totals else None,
            blank_rows=int(local.integers(2, 4)) if pos in blanks else 0,
            spaced_headers=("fullwidth" if local.random() < 0.4 else "stray") if pos in spaced else None,
            fullwidth_rooms=pos in fullwidth,
            date_format=date_format,
            sheet_name="台账" if pos in notes else str(local.choice(vocab.DATA_SHEET_NAMES)),
            aliases=aliases,
            tag_separator=str(local.choice(vocab.TAG_SEPARATORS)),
            late_share=0.3 if pos in late else 0.02,
            patrol_encoding="gbk" if pos == gbk_patrols else ("utf-8-sig" if pos in bom_patrols else "utf-8"),
            case_rate=float(local.uniform(0.2, 0.6)),
            on_time_share=float(local.uniform(0.68, 0.99)),
            patrol_share=float(local.uniform(0.6, 0.98)),
            satisfied_share=float(local.uniform(0.75, 0.93)),
        )
    return profiles


def submission_time(seed: int, code: str, year: int, month: int, late_share: float) -> datetime:
    """When the community's register of `month` arrives: mostly the 18th-25th, sometimes late."""
    rng = stream(seed, "submission", code, month)
    clock = timedelta(hours=int(rng.integers(9, 18)), minutes=int(rng.integers(60)), seconds=int(rng.integers(60)))
    if rng.random() < late_share:
        ny, nm = next_month(year, month)
        choices = [datetime(year, month, d) for d in range(26, month_last(year, month).day + 1)]
        choices += [datetime(ny, nm, d) for d in range(1, 6)]
        return choices[int(rng.integers(len(choices)))] + clock
    return datetime(year, month, int(rng.integers(18, 26))) + clock


def plan_odd_events(seed: int, profiles: dict[str, Profile], codes: list[str], months: int) -> dict:
    """Assign each odd-file event to a (community, month) of this run: {event: (code, month)}.

    Events that change a slot's main file (missing ID column, re-submission, no register) get
    slots of their own; the others prefer free slots and may share one when a run is tiny.
    """
    rng = stream(seed, "odd-events")
    xlsx_codes = [c for c in codes if profiles[c].csv_encoding is None]
    used: dict[tuple[str, int], str] = {}
    plan: dict[str, tuple[str, int]] = {}
    exclusive = {"missing_id_column", "resubmitted", "no_register"}
    for event in ODD_EVENTS:
        pool = codes if event in ("no_register", "anonymous") else xlsx_codes
        if not pool:
            continue
        preferred = PREFERRED_MONTH[event] if PREFERRED_MONTH[event] <= months else int(rng.integers(1, months + 1))
        order = [preferred] + [m for m in rng.permutation(np.arange(1, months + 1)).tolist() if m != preferred]
        slots = [(c, m) for m in order for c in rng.permutation(pool).tolist()]
        free = [s for s in slots if s not in used]
        if event == "no_register":
            free = [s for s in free if profiles[s[0]].csv_encoding is not None] + free
        shared = [s for s in slots if used.get(s) not in exclusive and used.get(s) != "no_register"]
        choice = free[0] if free else (None if event in exclusive else (shared[0] if shared else None))
        if choice is None:
            continue
        plan[event] = choice
        used.setdefault(choice, event)
    return plan
