"""Every kind of early warning of fct_warnings on the hand-made lake of warning_fixture.py, against
values worked out here in plain Python from the method of docs/early-warning.md (not from the SQL).

The rising, hot-spot, deadline-risk and stalled-grid warnings are recomputed for every series, grid,
open case and as-of day, so the comparisons are of whole sets: a warning the method does not give is
a failure too. The repeat and register-jump warnings are few enough to be written out.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from collections import defaultdict

import chinese_calendar
import pytest

from pipelines.core.settings import DBT_PROJECT_DIR
from tests.dbt_project.warning_fixture import (
    BURST_DAYS,
    FIRST_DAY,
    GA,
    GB,
    GC,
    GD,
    LAST_DAY,
    REGISTER_RECEIVED,
    REGISTERS,
    REPEAT_PLACE,
    new_warning_warehouse,
)

D = dt.date
KINDS = {"rising", "hotspot", "stalled_grid", "deadline_risk", "repeat", "register_jump"}
NEIGHBOURS = {GA: {GB}, GB: {GA}}  # GC meets GA at a corner only; GD lies elsewhere
# A series first seen after the day (L1: GB 城市管理, 23 July) must not change the category's rate
# that GA 城市管理's expected level borrows on 9–14 July
LATE_SERIES_NEIGHBOUR = (GA, "城市管理")


def _seed(name: str) -> list[dict]:
    with open(DBT_PROJECT_DIR / "seeds" / f"{name}.csv", encoding="utf-8") as f:
        return list(csv.DictReader(f))


SETTINGS = {row["name"]: float(row["value"]) for row in _seed("warning_settings")}
SLA = {int(row["handling_level"]): int(row["working_days"]) for row in _seed("sla_by_level")}
WINDOW, BASELINE = int(SETTINGS["rising_window_days"]), int(SETTINGS["rising_baseline_days"])
MIN_HISTORY = int(SETTINGS["rising_min_history_days"])
DAYS = [FIRST_DAY + dt.timedelta(n) for n in range((LAST_DAY - FIRST_DAY).days + 1)]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    warehouse, cases = new_warning_warehouse(tmp_path_factory.mktemp("warnings"))
    warehouse.build("build")
    return warehouse, cases


@pytest.fixture(scope="module")
def warnings(built) -> list[dict]:
    return built[0].query("select * from marts.fct_warnings order by kind, grid_code, category, subject, as_of_date")


def _of(warnings: list[dict], kind: str) -> list[dict]:
    return [w for w in warnings if w["kind"] == kind]


# --- the working-day calendar -----------------------------------------------------------------------
def _working_day_numbers() -> dict[dt.date, int]:
    numbers, n = {}, 0
    day = D(2025, 1, 1)
    while day <= D(2025, 12, 31):
        n += chinese_calendar.is_workday(day)
        numbers[day] = n
        day += dt.timedelta(1)
    return numbers


WDN = _working_day_numbers()


def _is_working(day: dt.date) -> bool:
    return chinese_calendar.is_workday(day)


# --- rising problems (the method of docs/early-warning.md, "Rising problems") ----------------------------
def _poisson_cdf(k: int, mean: float) -> float:
    return sum(math.exp(i * math.log(mean) - mean - math.lgamma(i + 1)) for i in range(k + 1))


def _upper_limit(mean: float, alpha: float) -> int:
    k = 0
    while _poisson_cdf(k, mean) < 1 - alpha:
        k += 1
    return k


def expected_rising(cases) -> dict[tuple, dict]:
    """(grid, category, day) → observed, expected, upper limit, P(X ≥ O), for every series and day
    from the first day with rising_min_history_days of history before its window (the baseline is
    what there is, up to rising_baseline_days); the warnings are those with O > L and O ≥ rising_min_count."""
    counts: dict[tuple, int] = defaultdict(int)  # (grid, category, day)
    per_day: dict[dt.date, int] = defaultdict(int)
    for case in cases:
        counts[(case.grid, case.category, case.reported_at.date())] += 1
        per_day[case.reported_at.date()] += 1
    series = sorted({(grid, category) for grid, category, _ in counts})
    first_seen = {(g, c): min(d for g2, c2, d in counts if (g2, c2) == (g, c)) for g, c in series}
    k_prior, alpha = SETTINGS["rising_prior_days"], SETTINGS["rising_alpha"]
    out = {}
    for index in range(WINDOW + MIN_HISTORY - 1, len(DAYS)):
        window = DAYS[index - WINDOW + 1:index + 1]
        baseline = DAYS[max(index - WINDOW - BASELINE + 1, 0):index - WINDOW + 1]
        assert MIN_HISTORY <= len(baseline) <= BASELINE
        work = [d for d in baseline if _is_working(d)]
        rest = [d for d in baseline if not _is_working(d)]
        per_work = sum(per_day[d] for d in work) / len(work) if work else 0.0
        per_rest = sum(per_day[d] for d in rest) / len(rest) if rest else None
        # no rest day or no working-day event in the baseline: weight 1 (then bounded)
        r = min(max(per_rest / per_work if per_rest is not None and per_work > 0 else 1.0, 0.1), 2.0)
        w_base = len(work) + r * len(rest)
        w_window = sum(1 if _is_working(d) else r for d in window)
        base = {(g, c): sum(counts[(g, c, d)] for d in baseline) for g, c in series}
        # μ: the category's baseline count per series known by the end of the day (what was known then)
        known = defaultdict(list)
        for grid, category in series:
            if first_seen[(grid, category)] <= DAYS[index]:
                known[category].append(grid)
        for grid, category in series:
            if not known[category]:
                continue
            mu = sum(base[(g, category)] for g in known[category]) / len(known[category]) / w_base
            rate = (base[(grid, category)] + k_prior * mu) / (w_base + k_prior)
            mean = max(rate * w_window, 1e-6)
            observed = sum(counts[(grid, category, d)] for d in window)
            limit = _upper_limit(mean, alpha)
            p = 1 - _poisson_cdf(observed - 1, mean) if observed > 0 else 1.0
            out[(grid, category, DAYS[index])] = {"observed": observed, "expected": mean, "upper_limit": limit,
                                                  "p": p, "warns": observed > limit and observed >= SETTINGS["rising_min_count"]}
    return out


# --- time to close, deadline risk and stalled grids ---------------------------------------------------------
def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(day.weekday())


def _survival(durations: list[tuple[int, bool]]) -> dict[int, float]:
    """Kaplan–Meier S(k) at every duration seen: (working days, closed) pairs, a censored case at risk
    up to and including its duration."""
    s, out = 1.0, {}
    for t in sorted({d for d, _ in durations}):
        at_risk = sum(1 for d, _ in durations if d >= t)
        closed = sum(1 for d, c in durations if d == t and c)
        s *= 1 - closed / at_risk
        out[t] = s
    return out


def _s_at(curve: dict[int, float], k: int) -> float:
    seen = [t for t in curve if t <= k]
    return curve[max(seen)] if seen else 1.0


def history(cases, week: dt.date) -> dict[tuple, list[tuple[int, bool]]]:
    """The week's time-to-close history per (category, level) and ('*', level)."""
    start = dt.datetime.combine(week, dt.time())
    groups = defaultdict(list)
    for case in cases:
        if not (start - dt.timedelta(days=SETTINGS["risk_history_days"]) <= case.accepted_at < start):
            continue
        accepted = WDN[case.accepted_at.date()]
        if case.closed_at is not None and case.closed_at < start:
            item = (WDN[case.closed_at.date()] - accepted, True)
        else:
            item = (WDN[week - dt.timedelta(1)] - accepted, False)
        groups[(case.category, case.level)].append(item)
        groups[("*", case.level)].append(item)
    return groups


def open_case_days(cases) -> list[dict]:
    """Every case open at the end of each as-of day with e, d, S(e), its chance of missing and its
    history's size."""
    histories = {}
    out = []
    for day in DAYS:
        end = dt.datetime.combine(day + dt.timedelta(1), dt.time())
        week = _monday(day)
        if week not in histories:
            histories[week] = history(cases, week)
        groups = histories[week]
        for case in cases:
            if not (case.accepted_at < end and (case.closed_at is None or case.closed_at >= end)):
                continue
            e, d = WDN[day] - WDN[case.accepted_at.date()], SLA[case.level]
            own = groups.get((case.category, case.level), [])
            group = own if len(own) >= SETTINGS["risk_min_group_cases"] else groups.get(("*", case.level), [])
            curve = _survival(group)
            still_open = _s_at(curve, e)
            if e >= d:
                miss = 1.0
            else:
                miss = _s_at(curve, d) / still_open if group else 0.0
            out.append({"case": case, "day": day, "e": e, "d": d, "still_open": still_open, "miss": miss,
                        "history": len(group)})
    return out


# --- the tests ------------------------------------------------------------------------------------------
def test_grids_sharing_a_side_are_neighbours_and_grids_meeting_at_a_corner_are_not(built):
    rows = built[0].query("select grid_code, neighbour_grid_code from intermediate.int_warning_grid_neighbours")
    assert {(r["grid_code"], r["neighbour_grid_code"]) for r in rows} == {(GA, GB), (GB, GA)}


def test_the_lake_gives_every_kind_and_nothing_else(warnings):
    assert {w["kind"] for w in warnings} == KINDS
    assert {w["source"] for w in warnings} == {"cases", "population"}  # the lake has no 12345 orders
    # the per-kind tests below compare whole sets; together they account for every row
    assert len(warnings) == sum(len(_of(warnings, kind)) for kind in KINDS)


def test_rising_warnings_are_the_series_and_days_over_their_poisson_limits(built, warnings):
    _, cases = built
    model = expected_rising(cases)
    expected = {key: v for key, v in model.items() if v["warns"]}
    rows = {(w["grid_code"], w["category"], w["as_of_date"]): w for w in _of(warnings, "rising")}
    assert set(rows) == set(expected)
    # the four bursts of 7–10 July, from the Wednesday; nothing else rises (no series but the
    # bursting ones ever has three cases in a week)
    assert {(g, c) for g, c, _ in expected} == {(GA, "环境卫生"), (GA, "城市管理"), (GB, "环境卫生"), (GC, "环境卫生")}
    for key, row in rows.items():
        value = expected[key]
        assert row["observed"] == value["observed"], key
        assert row["source"] == "cases" and row["subject"] is None
        assert row["evidence_series"].split(",")[-1] == str(value["observed"])
        assert row["expected"] == pytest.approx(value["expected"], rel=1e-9), key
        assert row["upper_limit"] == value["upper_limit"], key
        assert row["score"] == pytest.approx(min(-math.log10(value["p"]), 16.0), rel=1e-6), key


def test_rising_expectations_use_only_the_series_known_by_the_day(built, warnings):
    _, cases = built
    model = expected_rising(cases)
    rows = [w for w in _of(warnings, "rising") if (w["grid_code"], w["category"]) == LATE_SERIES_NEIGHBOUR]
    assert rows
    for row in rows:
        value = model[(row["grid_code"], row["category"], row["as_of_date"])]
        assert (row["expected"], row["upper_limit"]) == (pytest.approx(value["expected"], rel=1e-9), value["upper_limit"])


def test_a_rising_episode_starts_on_the_day_the_count_first_exceeds_its_limit(built, warnings):
    _, cases = built
    model = expected_rising(cases)
    ga = [w for w in _of(warnings, "rising") if w["grid_code"] == GA and w["category"] == "环境卫生"]
    first = min(day for (g, c, day), v in model.items() if g == GA and c == "环境卫生" and v["observed"] > v["upper_limit"])
    assert first == BURST_DAYS[2]  # Wednesday 9 July: 1 + 6 cases in the week
    tuesday = model[(GA, "环境卫生", BURST_DAYS[1])]
    assert tuesday["observed"] == 5 and tuesday["observed"] <= tuesday["upper_limit"]  # 1 + 4: not yet
    assert {w["first_as_of_date"] for w in ga} == {first}
    assert min(w["as_of_date"] for w in ga) == first
    assert [w["is_new"] for w in sorted(ga, key=lambda w: w["as_of_date"])][:2] == [True, False]
    wednesday = model[(GA, "环境卫生", first)]
    assert wednesday["observed"] == 7 and wednesday["upper_limit"] == 5
    assert 0.9 < wednesday["expected"] < 1.1  # about one case a week


def test_hot_spots_are_grids_rising_in_two_categories_or_beside_a_rising_neighbour(built, warnings):
    _, cases = built
    model = expected_rising(cases)
    rising = defaultdict(dict)  # (grid, day) → {category: score}
    for (grid, category, day), v in model.items():
        if v["warns"]:
            rising[(grid, day)][category] = min(-math.log10(v["p"]), 16.0)
    expected = {}
    for (grid, day), categories in rising.items():
        neighbours = sum(1 for n in NEIGHBOURS.get(grid, ()) if (n, day) in rising)
        if len(categories) >= SETTINGS["hotspot_min_categories"] or neighbours:
            expected[(grid, day)] = {"observed": len(categories) + neighbours, "category": "、".join(sorted(categories)),
                                     "score": sum(categories.values())}
    rows = {(w["grid_code"], w["as_of_date"]): w for w in _of(warnings, "hotspot")}
    assert set(rows) == set(expected)
    for key, row in rows.items():
        assert row["observed"] == expected[key]["observed"], key
        assert row["category"] == expected[key]["category"], key
        assert row["score"] == pytest.approx(expected[key]["score"], rel=1e-6), key
    assert {g for g, _ in rows} == {GA, GB}
    # GA: two categories and its neighbour GB; GB: one category and its neighbour GA
    assert {row["observed"] for (g, _), row in rows.items() if g == GA} == {3}
    assert {row["observed"] for (g, _), row in rows.items() if g == GB} == {2}
    assert all(f"相邻网格{GB}同时预警" in row["evidence"] for (g, _), row in rows.items() if g == GA)
    # GC rises on the same days but meets GA at a corner only: no hot spot
    assert any(g == GC for g, _ in rising)


def test_the_weekly_survival_counts_open_cases_as_censored(built):
    rows = built[0].query("select estimate_week, working_days, still_open_share from intermediate.int_warning_survival "
                          "where category = '安全隐患' and handling_level = 3 and working_days <= 5 "
                          "and estimate_week in ('2025-06-09', '2025-06-16')")
    got = {(r["estimate_week"], r["working_days"]): r["still_open_share"] for r in rows}
    # 9 June: the 40 closed cases of 3 March (20 after 0 working days, 12 after 1, 3 after 2, 5 after 4)
    by_hand = {0: 20 / 40, 1: 8 / 40, 2: 5 / 40, 3: 5 / 40, 4: 0.0, 5: 0.0}
    # 16 June: S1 and S2 are open, censored at 4 working days: at risk at 4 are 5 closed + 2 open
    censored = {0: 22 / 42, 1: 10 / 42, 2: 7 / 42, 3: 7 / 42, 4: 2 / 42, 5: 2 / 42}
    _, cases = built
    for week, values in ((D(2025, 6, 9), by_hand), (D(2025, 6, 16), censored)):
        curve = _survival(history(cases, week)[("安全隐患", 3)])
        for k, value in values.items():
            assert _s_at(curve, k) == pytest.approx(value, abs=1e-12)
            assert got[(week, k)] == pytest.approx(value, abs=1e-9), (week, k)


def test_deadline_risks_are_the_open_cases_likely_to_miss_their_deadline(built, warnings):
    _, cases = built
    expected = {(o["case"].case_id, o["day"]): o for o in open_case_days(cases)
                if o["e"] < o["d"] and o["miss"] >= SETTINGS["risk_threshold"]}
    rows = {(w["subject"], w["as_of_date"]): w for w in _of(warnings, "deadline_risk")}
    # the history cases of 3–7 March were open in the first week, which has no history to estimate
    # from (nothing accepted before 3 March), so they never warn; every other case closes the day it
    # comes in
    assert set(rows) == set(expected)
    for key, row in rows.items():
        assert row["observed"] == pytest.approx(expected[key]["miss"], rel=1e-9), key
        assert row["upper_limit"] == SETTINGS["risk_threshold"]
    # by hand: S1 and S2 on Tuesday 10 June (e = 1, d = 2): S(2) / S(1) = (5/40) / (8/40); T1 on
    # Wednesday 18 June after S1 and S2 entered the history censored: (7/42) / (10/42)
    by_hand = {("S1", D(2025, 6, 10)): 0.625, ("S2", D(2025, 6, 10)): 0.625, ("T1", D(2025, 6, 18)): 0.7}
    assert {key: row["observed"] for key, row in rows.items()} == pytest.approx(by_hand, rel=1e-9)
    assert rows[("T1", D(2025, 6, 18))]["grid_code"] == GB
    # the day before, T1 had just come in: S(2) / S(0) = 7/22 is below the threshold
    t1_tuesday = next(o for o in open_case_days(cases) if o["case"].case_id == "T1" and o["day"] == D(2025, 6, 17))
    assert t1_tuesday["miss"] == pytest.approx(7 / 22)


def test_a_grid_stalls_when_its_lingering_cases_are_jointly_improbable(built, warnings):
    _, cases = built
    lingering = defaultdict(list)
    for o in open_case_days(cases):
        if o["still_open"] < 0.5:
            lingering[(o["case"].grid, o["day"])].append(o)
    expected = {}
    for key, items in lingering.items():
        score = sum(-math.log10(max(o["still_open"], 0.5 / o["history"])) for o in items)
        if len(items) >= SETTINGS["stall_min_cases"] and score >= SETTINGS["stall_min_log10"]:
            expected[key] = {"observed": len(items), "expected": sum(o["still_open"] for o in items), "score": score}
    rows = {(w["grid_code"], w["as_of_date"]): w for w in _of(warnings, "stalled_grid")}
    assert set(rows) == set(expected)
    for key, row in rows.items():
        assert row["observed"] == expected[key]["observed"]
        assert row["expected"] == pytest.approx(expected[key]["expected"], abs=1e-9)
        assert row["score"] == pytest.approx(expected[key]["score"], rel=1e-9)
    # by hand: GD from Friday 13 June (S1 and S2 open 4 working days: S(4) = 0, floored at half a case
    # of 40: 2 · log10(80) = 3.81) to Sunday 15 June; from Monday 16 June the new estimate counts them
    # as censored at 4 and S(4) = S(5) = 2/42: 2 · log10(21) = 2.64, still ≥ 2.5, until they close
    assert sorted(rows) == [(GD, D(2025, 6, day)) for day in range(13, 18)]
    assert [rows[(GD, D(2025, 6, day))]["score"] for day in range(13, 18)] == pytest.approx(
        [2 * math.log10(80)] * 3 + [2 * math.log10(21)] * 2)
    assert {row["first_as_of_date"] for row in rows.values()} == {D(2025, 6, 13)}


def test_a_repeat_is_the_same_place_and_category_soon_after_closing(built, warnings):
    _, cases = built
    by_id = {c.case_id: c for c in cases}
    days_after = (by_id["R2"].reported_at.date() - by_id["R1"].closed_at.date()).days
    assert days_after == 12
    rows = _of(warnings, "repeat")
    assert [(w["subject"], w["grid_code"], w["category"], w["as_of_date"], w["observed"]) for w in rows] == [
        ("R2", GB, "民生服务", D(2025, 6, 17), 2.0)]
    assert REPEAT_PLACE in rows[0]["evidence"] and f"{days_after}天" in rows[0]["evidence"] and "R1" in rows[0]["evidence"]
    assert rows[0]["score"] == pytest.approx(2 + 1 / (1 + days_after))


def test_a_register_jump_is_a_change_beyond_the_share_and_the_minimum(warnings):
    expected = []
    (first, before), (second, after) = REGISTERS.items()
    for grid in before:
        change = abs(after[grid] - before[grid])
        if change > SETTINGS["register_jump_share"] * before[grid] and change >= SETTINGS["register_jump_min"]:
            expected.append((grid, second, REGISTER_RECEIVED[second].date(), after[grid], before[grid],
                             change / before[grid]))
    assert expected == [(GA, "2025-06", D(2025, 6, 23), 140, 100, 0.4)]  # GB +10 %; GC +50 % but 15 people
    rows = _of(warnings, "register_jump")
    assert [(w["grid_code"], w["subject"], w["as_of_date"], w["observed"], w["expected"], w["score"]) for w in rows] == [
        (g, s, a, float(o), float(e), pytest.approx(score)) for g, s, a, o, e, score in expected]
    assert rows[0]["upper_limit"] == pytest.approx(120)


def test_episodes_are_runs_of_consecutive_days_of_one_warning(warnings):
    runs = defaultdict(list)
    for w in warnings:
        runs[(w["kind"], w["source"], w["grid_code"] or w["community_code"], w["category"], w["subject"])].append(w)
    for items in runs.values():
        items.sort(key=lambda w: w["as_of_date"])
        first = None
        for n, w in enumerate(items):
            if n == 0 or (w["as_of_date"] - items[n - 1]["as_of_date"]).days > 1:
                first = w["as_of_date"]
            assert w["first_as_of_date"] == first
            assert w["days_active"] == (w["as_of_date"] - first).days + 1
            assert w["is_new"] == (w["as_of_date"] == first)
        assert len({w["warning_id"] for w in items if w["first_as_of_date"] == first}) == 1
