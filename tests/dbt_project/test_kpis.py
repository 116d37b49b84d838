"""Acceptance 2: every KPI and every assessment score of the hand-built fixture, worked out by hand.

The fixture (fixture.py) tells the story of each row. The numbers below were computed by hand from
that story, not by running the models; the comment above each table shows the working. Working days
(chinese-calendar): August 2025 has 21, September 23 (Sunday 28 Sep is a make-up day), October 18
(1–8 Oct National Day and Mid-autumn; Saturday 11 Oct worked). The data cut-off is 31 October, so
Q3 is August–September (the data range starts in August) and Q4 is October only.
"""

from __future__ import annotations

import datetime as dt
import math

import pytest

from tests.dbt_project.fixture import C1, C2, G11, G12, G13, G21, STREET, W11, W12, W13, W21, new_warehouse

AUG, SEP, OCT, Q3, Q4 = "2025-08-01", "2025-09-01", "2025-10-01", "2025-07-01", "2025-10-01"
N = None  # null: unknown, never zero

# --- coverage ------------------------------------------------------------------------------------------
COVERAGE = ("grids_active", "grids_with_worker", "grids_with_backup_worker", "grids_with_active_worker",
            "grids_patrolled", "grids_patrolled_at_frequency", "grids_outside_size_band", "required_patrol_days",
            "patrolled_working_days", "households_in_grid_tables", "households_visited",
            "households_visited_in_window", "household_visit_target", "key_persons_visited",
            "key_persons_visited_in_window", "key_person_visit_target")
# G11: patrolled every working day but 1, 4, 5 Aug (18 of 21; 23 of 23; 18 of 18); visits 30 + 1 (Aug),
#      40 (Sep), 10 + 1 (Oct) households, year to date 31, 71, 82 of 400; key persons 1 (p4, dies in Sep),
#      visited 1 in Aug and 1 in Oct, counted up to the target (1 in Q3 before Sep, 0 after).
# G12: 350 households until 31 Aug, 250 (outside 300–500) from the redraw; patrolled 10 Aug, 5 Sep days;
#      visits 35 + 25 households; key persons p5 (Aug, Sep) and p5 + p10 (Oct), never visited.
# G13: school grid from 1 Sep (40 households, exempt from the band); patrolled every working day.
# G21: no backup; W21 patrols 6, 7 Aug and Saturday 9 Aug (2 working days), 9 Oct; only W11 patrols it
#      in September (patrolled, but not by its worker); no September register: key persons unknown.
COVERAGE_EXPECTED = {
    ("grid", "month", G11, AUG): (1, 1, 1, 1, 1, 0, 0, 21, 18, 400, 31, 31, 400, 1, 1, 1),
    ("grid", "month", G11, SEP): (1, 1, 1, 1, 1, 1, 0, 23, 23, 400, 40, 71, 400, 0, 0, 0),
    ("grid", "month", G11, OCT): (1, 1, 1, 1, 1, 1, 0, 18, 18, 400, 11, 82, 400, 1, 0, 0),
    ("grid", "month", G12, AUG): (1, 1, 1, 1, 1, 0, 0, 21, 10, 350, 35, 35, 350, 0, 0, 1),
    ("grid", "month", G12, SEP): (1, 1, 1, 1, 1, 0, 1, 23, 5, 250, 25, 60, 250, 0, 0, 1),
    ("grid", "month", G12, OCT): (1, 1, 1, 0, 0, 0, 1, 18, 0, 250, 0, 60, 250, 0, 0, 2),
    ("grid", "month", G13, SEP): (1, 1, 1, 1, 1, 1, 0, 23, 23, 40, 5, 5, 40, 0, 0, 0),
    ("grid", "month", G13, OCT): (1, 1, 1, 1, 1, 1, 0, 18, 18, 40, 0, 5, 40, 0, 0, 0),
    ("grid", "month", G21, AUG): (1, 1, 0, 1, 1, 0, 0, 21, 2, 500, 50, 50, 500, 0, 0, 1),
    ("grid", "month", G21, SEP): (1, 1, 0, 0, 1, 0, 0, 23, 1, 500, 0, 50, 500, 0, N, N),
    ("grid", "month", G21, OCT): (1, 1, 0, 1, 1, 0, 0, 18, 1, 500, 1, 51, 500, 2, 1, 1),
    ("grid", "quarter", G11, Q3): (1, 1, 1, 1, 1, 0, 0, 44, 41, 400, 71, 71, 400, 1, 0, 0),
    ("grid", "quarter", G12, Q3): (1, 1, 1, 1, 1, 0, 1, 44, 15, 250, 60, 60, 250, 0, 0, 1),
    ("grid", "quarter", G13, Q3): (1, 1, 1, 1, 1, 1, 0, 23, 23, 40, 5, 5, 40, 0, 0, 0),
    ("grid", "quarter", G21, Q3): (1, 1, 0, 1, 1, 0, 0, 44, 3, 500, 50, 50, 500, 0, N, N),
    ("grid", "quarter", G11, Q4): (1, 1, 1, 1, 1, 1, 0, 18, 18, 400, 11, 82, 400, 1, 0, 0),
    ("grid", "quarter", G12, Q4): (1, 1, 1, 0, 0, 0, 1, 18, 0, 250, 0, 60, 250, 0, 0, 2),
    ("grid", "quarter", G13, Q4): (1, 1, 1, 1, 1, 1, 0, 18, 18, 40, 0, 5, 40, 0, 0, 0),
    ("grid", "quarter", G21, Q4): (1, 1, 0, 1, 1, 0, 0, 18, 1, 500, 1, 51, 500, 2, 1, 1),
    # communities: the sums of their grids' rows
    ("community", "month", C1, AUG): (2, 2, 2, 2, 2, 0, 0, 42, 28, 750, 66, 66, 750, 1, 1, 2),
    ("community", "month", C1, SEP): (3, 3, 3, 3, 3, 2, 1, 69, 51, 690, 70, 136, 690, 0, 0, 1),
    ("community", "month", C1, OCT): (3, 3, 3, 2, 2, 2, 1, 54, 36, 690, 11, 147, 690, 1, 0, 2),
    ("community", "month", C2, AUG): (1, 1, 0, 1, 1, 0, 0, 21, 2, 500, 50, 50, 500, 0, 0, 1),
    ("community", "month", C2, SEP): (1, 1, 0, 0, 1, 0, 0, 23, 1, 500, 0, 50, 500, 0, N, N),
    ("community", "month", C2, OCT): (1, 1, 0, 1, 1, 0, 0, 18, 1, 500, 1, 51, 500, 2, 1, 1),
    ("community", "quarter", C1, Q3): (3, 3, 3, 3, 3, 1, 1, 111, 79, 690, 136, 136, 690, 1, 0, 1),
    ("community", "quarter", C2, Q3): (1, 1, 0, 1, 1, 0, 0, 44, 3, 500, 50, 50, 500, 0, N, N),
    ("community", "quarter", C1, Q4): (3, 3, 3, 2, 2, 2, 1, 54, 36, 690, 11, 147, 690, 1, 0, 2),
    ("community", "quarter", C2, Q4): (1, 1, 0, 1, 1, 0, 0, 18, 1, 500, 1, 51, 500, 2, 1, 1),
    # the street: C1 + C2 (an unknown key-person target of C2 adds nothing)
    ("street", "month", STREET, AUG): (3, 3, 2, 3, 3, 0, 0, 63, 30, 1250, 116, 116, 1250, 1, 1, 3),
    ("street", "month", STREET, SEP): (4, 4, 3, 3, 4, 2, 1, 92, 52, 1190, 70, 186, 1190, 0, 0, 1),
    ("street", "month", STREET, OCT): (4, 4, 3, 3, 3, 2, 1, 72, 37, 1190, 12, 198, 1190, 3, 1, 3),
    ("street", "quarter", STREET, Q3): (4, 4, 3, 4, 4, 1, 1, 155, 82, 1190, 186, 186, 1190, 1, 0, 1),
    ("street", "quarter", STREET, Q4): (4, 4, 3, 3, 3, 2, 1, 72, 37, 1190, 12, 198, 1190, 3, 1, 3),
}

# --- population and register freshness ------------------------------------------------------------
POPULATION = ("registers_in_snapshot", "registers_received", "registers_on_time", "persons_in_register",
              "residents", "residents_present", "residents_away", "residents_registered", "residents_floating",
              "residents_foreign", "households", "key_persons", "moved_in", "moved_out", "transferred_in",
              "transferred_out", "deaths")
# C1 registers: Aug p1–p8 (p3 外出, p7 迁出: not a resident); Sep p4 dead, p9 arrives in G11, the redraw
# moves p6 and p8 from G12 to G13; Oct p2 迁出, p10 arrives in G12. Received 20 Aug (on time), 26 Sep
# (late; the rejected 20 Sep file does not count), 25 Oct 23:30 (on time). C2: Aug q1–q3 (first version
# 24 Aug, on time), no Sep register, Oct q1, q2 (外出), q4 received 26 Oct 00:00 (late). Flows need the
# previous month's register: none for August (no July), none for C2 in October (no September).
POPULATION_EXPECTED = {
    ("grid", "month", G11, AUG): (1, 1, 1, 4, 4, 3, 1, 3, 1, 0, 3, 1, N, N, N, N, N),
    ("grid", "month", G11, SEP): (1, 1, 0, 5, 4, 4, 0, 2, 2, 0, 3, 0, 1, 1, 0, 0, 1),
    ("grid", "month", G11, OCT): (1, 1, 1, 4, 3, 3, 0, 1, 2, 0, 3, 0, 0, 1, 0, 0, 0),
    ("grid", "month", G12, AUG): (1, 1, 1, 4, 3, 3, 0, 1, 1, 1, 3, 1, N, N, N, N, N),
    ("grid", "month", G12, SEP): (1, 1, 0, 1, 1, 1, 0, 1, 0, 0, 1, 1, 0, 2, 0, 2, 0),
    ("grid", "month", G12, OCT): (1, 1, 1, 2, 2, 2, 0, 2, 0, 0, 2, 2, 1, 0, 0, 0, 0),
    ("grid", "month", G13, SEP): (1, 1, 0, 2, 2, 2, 0, 0, 1, 1, 2, 0, 2, 0, 2, 0, 0),
    ("grid", "month", G13, OCT): (1, 1, 1, 2, 2, 2, 0, 0, 1, 1, 2, 0, 0, 0, 0, 0, 0),
    ("grid", "month", G21, AUG): (1, 1, 1, 3, 3, 3, 0, 2, 1, 0, 2, 1, N, N, N, N, N),
    ("grid", "month", G21, SEP): (0, 0, 0, N, N, N, N, N, N, N, N, N, N, N, N, N, N),
    ("grid", "month", G21, OCT): (1, 1, 0, 3, 3, 2, 1, 3, 0, 0, 2, 1, N, N, N, N, N),
    ("grid", "quarter", G11, Q3): (1, 2, 1, 5, 4, 4, 0, 2, 2, 0, 3, 0, 1, 1, 0, 0, 1),
    ("grid", "quarter", G12, Q3): (1, 2, 1, 1, 1, 1, 0, 1, 0, 0, 1, 1, 0, 2, 0, 2, 0),
    ("grid", "quarter", G13, Q3): (1, 1, 0, 2, 2, 2, 0, 0, 1, 1, 2, 0, 2, 0, 2, 0, 0),
    ("grid", "quarter", G21, Q3): (0, 1, 1, N, N, N, N, N, N, N, N, N, N, N, N, N, N),
    ("grid", "quarter", G11, Q4): (1, 1, 1, 4, 3, 3, 0, 1, 2, 0, 3, 0, 0, 1, 0, 0, 0),
    ("grid", "quarter", G12, Q4): (1, 1, 1, 2, 2, 2, 0, 2, 0, 0, 2, 2, 1, 0, 0, 0, 0),
    ("grid", "quarter", G13, Q4): (1, 1, 1, 2, 2, 2, 0, 0, 1, 1, 2, 0, 0, 0, 0, 0, 0),
    ("grid", "quarter", G21, Q4): (1, 1, 0, 3, 3, 2, 1, 3, 0, 0, 2, 1, N, N, N, N, N),
    # a community's flows leave out moves between its own grids (those are the transfers)
    ("community", "month", C1, AUG): (1, 1, 1, 8, 7, 6, 1, 4, 2, 1, 6, 2, N, N, N, N, N),
    ("community", "month", C1, SEP): (1, 1, 0, 8, 7, 7, 0, 3, 3, 1, 6, 1, 1, 1, 2, 2, 1),
    ("community", "month", C1, OCT): (1, 1, 1, 8, 7, 7, 0, 3, 3, 1, 7, 2, 1, 1, 0, 0, 0),
    ("community", "month", C2, AUG): (1, 1, 1, 3, 3, 3, 0, 2, 1, 0, 2, 1, N, N, N, N, N),
    ("community", "month", C2, SEP): (0, 0, 0, N, N, N, N, N, N, N, N, N, N, N, N, N, N),
    ("community", "month", C2, OCT): (1, 1, 0, 3, 3, 2, 1, 3, 0, 0, 2, 1, N, N, N, N, N),
    ("community", "quarter", C1, Q3): (1, 2, 1, 8, 7, 7, 0, 3, 3, 1, 6, 1, 1, 1, 2, 2, 1),
    ("community", "quarter", C2, Q3): (0, 1, 1, N, N, N, N, N, N, N, N, N, N, N, N, N, N),
    ("community", "quarter", C1, Q4): (1, 1, 1, 8, 7, 7, 0, 3, 3, 1, 7, 2, 1, 1, 0, 0, 0),
    ("community", "quarter", C2, Q4): (1, 1, 0, 3, 3, 2, 1, 3, 0, 0, 2, 1, N, N, N, N, N),
    # the street adds up the communities with a register (September: C1 only)
    ("street", "month", STREET, AUG): (2, 2, 2, 11, 10, 9, 1, 6, 3, 1, 8, 3, N, N, N, N, N),
    ("street", "month", STREET, SEP): (1, 1, 0, 8, 7, 7, 0, 3, 3, 1, 6, 1, 1, 1, 2, 2, 1),
    ("street", "month", STREET, OCT): (2, 2, 1, 11, 10, 9, 1, 6, 3, 1, 9, 3, 1, 1, 0, 0, 0),
    ("street", "quarter", STREET, Q3): (1, 3, 2, 8, 7, 7, 0, 3, 3, 1, 6, 1, 1, 1, 2, 2, 1),
    ("street", "quarter", STREET, Q4): (2, 2, 1, 11, 10, 9, 1, 6, 3, 1, 9, 3, 1, 1, 0, 0, 0),
}

# --- case handling: the cohort of cases accepted in the period (K7 voided) -----------------------------
COHORT = ("cases_accepted", "cases_accepted_closed", "cases_closed_on_time", "cases_handled_on_time",
          "cases_reworked", "cases_evaluated", "cases_satisfied", "cases_closed_at_level_1",
          "cases_closed_within_community", "median_working_days_to_close")
# working days to close: K1 1, K2 2, K3 2, K4 5, K8 2, K9 1, K10 0, K11 3, K12 5, K13 20
COHORT_EXPECTED = {
    ("grid", "month", G11, AUG): (2, 2, 1, 1, 0, 2, 1, 1, 2, 1.5),  # K1, K2
    ("grid", "month", G11, SEP): (2, 2, 2, 2, 0, 2, 2, 1, 1, 3.5),  # K3 (level 3), K4 (level 1)
    ("grid", "month", G11, OCT): (2, 0, 0, 0, 0, 0, 0, 0, 0, N),  # K5, K6 open
    ("grid", "month", G12, AUG): (1, 1, 0, 1, 1, 1, 1, 0, 1, 2.0),  # K8
    ("grid", "month", G12, SEP): (1, 1, 1, 1, 0, 1, 1, 0, 1, 1.0),  # K9 (escalated to 2)
    ("grid", "month", G12, OCT): (0, 0, 0, 0, 0, 0, 0, 0, 0, N),
    ("grid", "month", G13, SEP): (1, 1, 1, 1, 0, 1, 1, 1, 1, 0.0),  # K10
    ("grid", "month", G13, OCT): (0, 0, 0, 0, 0, 0, 0, 0, 0, N),
    ("grid", "month", G21, AUG): (1, 1, 1, 1, 0, 1, 1, 0, 0, 3.0),  # K11 (level 4)
    ("grid", "month", G21, SEP): (1, 1, 0, 0, 0, 1, 0, 1, 1, 20.0),  # K13
    ("grid", "month", G21, OCT): (1, 1, 0, 1, 0, 0, 0, 0, 0, 5.0),  # K12 (level 5)
    ("grid", "quarter", G11, Q3): (4, 4, 3, 3, 0, 4, 3, 2, 3, 2.0),
    ("grid", "quarter", G12, Q3): (2, 2, 1, 2, 1, 2, 2, 0, 2, 1.5),
    ("grid", "quarter", G13, Q3): (1, 1, 1, 1, 0, 1, 1, 1, 1, 0.0),
    ("grid", "quarter", G21, Q3): (2, 2, 1, 1, 0, 2, 1, 1, 1, 11.5),
    ("grid", "quarter", G11, Q4): (2, 0, 0, 0, 0, 0, 0, 0, 0, N),
    ("grid", "quarter", G12, Q4): (0, 0, 0, 0, 0, 0, 0, 0, 0, N),
    ("grid", "quarter", G13, Q4): (0, 0, 0, 0, 0, 0, 0, 0, 0, N),
    ("grid", "quarter", G21, Q4): (1, 1, 0, 1, 0, 0, 0, 0, 0, 5.0),
    ("community", "month", C1, AUG): (3, 3, 1, 2, 1, 3, 2, 1, 3, 2.0),  # K1, K2, K8
    ("community", "month", C1, SEP): (4, 4, 4, 4, 0, 4, 4, 2, 3, 1.5),  # K3, K4, K9, K10: 0 1 2 5
    ("community", "month", C1, OCT): (2, 0, 0, 0, 0, 0, 0, 0, 0, N),
    ("community", "month", C2, AUG): (1, 1, 1, 1, 0, 1, 1, 0, 0, 3.0),
    ("community", "month", C2, SEP): (1, 1, 0, 0, 0, 1, 0, 1, 1, 20.0),
    ("community", "month", C2, OCT): (1, 1, 0, 1, 0, 0, 0, 0, 0, 5.0),
    ("community", "quarter", C1, Q3): (7, 7, 5, 6, 1, 7, 6, 3, 6, 2.0),  # 0 1 1 2 2 2 5
    ("community", "quarter", C2, Q3): (2, 2, 1, 1, 0, 2, 1, 1, 1, 11.5),
    ("community", "quarter", C1, Q4): (2, 0, 0, 0, 0, 0, 0, 0, 0, N),
    ("community", "quarter", C2, Q4): (1, 1, 0, 1, 0, 0, 0, 0, 0, 5.0),
    ("street", "month", STREET, AUG): (4, 4, 2, 3, 1, 4, 3, 1, 3, 2.0),  # 1 2 2 3
    ("street", "month", STREET, SEP): (5, 5, 4, 4, 0, 5, 4, 3, 4, 2.0),  # 0 1 2 5 20
    ("street", "month", STREET, OCT): (3, 1, 0, 1, 0, 0, 0, 0, 0, 5.0),
    ("street", "quarter", STREET, Q3): (9, 9, 6, 7, 1, 9, 7, 4, 7, 2.0),  # 0 1 1 2 2 2 3 5 20
    ("street", "quarter", STREET, Q4): (3, 1, 0, 1, 0, 0, 0, 0, 0, 5.0),
}

# --- closings in the period and the backlog at its end ------------------------------------------------
BACKLOG = ("cases_closed", "open_cases_at_end", "overdue_open_cases", "overdue_open_cases_over_5_working_days",
           "overdue_age_mean_working_days", "overdue_age_max_working_days")
# end of Aug: K8 open (due 1 Sep). End of Sep: K3, K4 open (due in Oct); K13 (due 8 Sep) 17 working
# days overdue. End of Oct: K5 (due 21 Oct) 8 working days overdue, K6 (due 31 Oct) 0.
BACKLOG_EXPECTED = {
    ("grid", "month", G11, AUG): (2, 0, 0, 0, N, N), ("grid", "month", G11, SEP): (0, 2, 0, 0, N, N),
    ("grid", "month", G11, OCT): (2, 2, 2, 1, 4.0, 8), ("grid", "month", G12, AUG): (0, 1, 0, 0, N, N),
    ("grid", "month", G12, SEP): (2, 0, 0, 0, N, N), ("grid", "month", G12, OCT): (0, 0, 0, 0, N, N),
    ("grid", "month", G13, SEP): (1, 0, 0, 0, N, N), ("grid", "month", G13, OCT): (0, 0, 0, 0, N, N),
    ("grid", "month", G21, AUG): (1, 0, 0, 0, N, N), ("grid", "month", G21, SEP): (0, 1, 1, 1, 17.0, 17),
    ("grid", "month", G21, OCT): (2, 0, 0, 0, N, N),
    ("grid", "quarter", G11, Q3): (2, 2, 0, 0, N, N), ("grid", "quarter", G12, Q3): (2, 0, 0, 0, N, N),
    ("grid", "quarter", G13, Q3): (1, 0, 0, 0, N, N), ("grid", "quarter", G21, Q3): (1, 1, 1, 1, 17.0, 17),
    ("grid", "quarter", G11, Q4): (2, 2, 2, 1, 4.0, 8), ("grid", "quarter", G12, Q4): (0, 0, 0, 0, N, N),
    ("grid", "quarter", G13, Q4): (0, 0, 0, 0, N, N), ("grid", "quarter", G21, Q4): (2, 0, 0, 0, N, N),
    ("community", "month", C1, AUG): (2, 1, 0, 0, N, N), ("community", "month", C1, SEP): (3, 2, 0, 0, N, N),
    ("community", "month", C1, OCT): (2, 2, 2, 1, 4.0, 8), ("community", "month", C2, AUG): (1, 0, 0, 0, N, N),
    ("community", "month", C2, SEP): (0, 1, 1, 1, 17.0, 17), ("community", "month", C2, OCT): (2, 0, 0, 0, N, N),
    ("community", "quarter", C1, Q3): (5, 2, 0, 0, N, N), ("community", "quarter", C2, Q3): (1, 1, 1, 1, 17.0, 17),
    ("community", "quarter", C1, Q4): (2, 2, 2, 1, 4.0, 8), ("community", "quarter", C2, Q4): (2, 0, 0, 0, N, N),
    ("street", "month", STREET, AUG): (3, 1, 0, 0, N, N), ("street", "month", STREET, SEP): (3, 3, 1, 1, 17.0, 17),
    ("street", "month", STREET, OCT): (4, 2, 2, 1, 4.0, 8), ("street", "quarter", STREET, Q3): (6, 3, 1, 1, 17.0, 17),
    ("street", "quarter", STREET, Q4): (4, 2, 2, 1, 4.0, 8),
}

# --- rates: the documented formulas applied to the hand-counted numbers above -----------------------------
RATES = {
    "patrol_compliance_rate": ("patrolled_working_days", "required_patrol_days"),
    "household_visit_coverage": ("households_visited_in_window", "household_visit_target"),
    "key_person_visit_coverage": ("key_persons_visited_in_window", "key_person_visit_target"),
    "closure_rate": ("cases_accepted_closed", "cases_accepted"),
    "on_time_closure_rate": ("cases_closed_on_time", "cases_accepted"),
    "on_time_handling_rate": ("cases_handled_on_time", "cases_accepted"),
    "rework_rate": ("cases_reworked", "cases_accepted"),
    "satisfaction_rate": ("cases_satisfied", "cases_evaluated"),
    "share_closed_at_level_1": ("cases_closed_at_level_1", "cases_accepted_closed"),
    "share_closed_within_community": ("cases_closed_within_community", "cases_accepted_closed"),
}
MARTS = {("grid", "month"): ("kpi_grid_monthly", "grid_code", "month_start"),
         ("grid", "quarter"): ("kpi_grid_quarterly", "grid_code", "quarter_start"),
         ("community", "month"): ("kpi_community_monthly", "community_code", "month_start"),
         ("community", "quarter"): ("kpi_community_quarterly", "community_code", "quarter_start"),
         ("street", "month"): ("kpi_street_monthly", "street_code", "month_start"),
         ("street", "quarter"): ("kpi_street_quarterly", "street_code", "quarter_start")}
DOMAINS = [(COVERAGE, COVERAGE_EXPECTED), (POPULATION, POPULATION_EXPECTED), (COHORT, COHORT_EXPECTED),
           (BACKLOG, BACKLOG_EXPECTED)]


def same(actual, expected) -> bool:
    if expected is None or actual is None:
        return expected is None and actual is None
    return math.isclose(float(actual), float(expected), rel_tol=1e-9, abs_tol=1e-9)


def mart_row(warehouse, level, period, code, start) -> dict:
    mart, key, start_column = MARTS[(level, period)]
    rows = warehouse.query(f"select * from marts.{mart} where {key} = ? and {start_column} = ?",
                           [code, dt.date.fromisoformat(start)])
    assert len(rows) == 1, (mart, code, start, len(rows))
    return rows[0]


def expected_row(key) -> dict:
    values = {}
    for columns, table in DOMAINS:
        values.update(zip(columns, table[key]))
    return values


@pytest.mark.parametrize("columns,table", DOMAINS, ids=["coverage", "population", "case_cohorts", "case_backlog"])
def test_kpi_counts_equal_the_hand_computed_values(warehouse, columns, table):
    wrong = []
    for key, values in table.items():
        row = mart_row(warehouse, *key)
        wrong += [(key, column, row[column], value) for column, value in zip(columns, values)
                  if not same(row[column], value)]
    assert wrong == []


def test_every_kpi_mart_row_with_data_is_covered_by_the_tables(warehouse):
    """The tables above cover every grid in force and both communities with data, in every period."""
    keys = set(COVERAGE_EXPECTED)
    assert keys == set(POPULATION_EXPECTED) == set(COHORT_EXPECTED) == set(BACKLOG_EXPECTED)
    for (level, period), (mart, key, start_column) in MARTS.items():
        rows = warehouse.query(f"select {key} as code, cast({start_column} as varchar) as start, grids_active "
                               f"from marts.{mart}")
        with_grids = {(level, period, r["code"], r["start"]) for r in rows if r["grids_active"] > 0}
        assert with_grids == {k for k in keys if k[:2] == (level, period)}, mart


def test_rates_follow_their_formulas_on_the_hand_counts(warehouse):
    wrong = []
    for key in COVERAGE_EXPECTED:
        row, counts = mart_row(warehouse, *key), expected_row(key)
        level, period = key[:2]
        for rate, (numerator, denominator) in RATES.items():
            n, d = counts[numerator], counts[denominator]
            value = None if n is None or not d else n / d
            if not same(row[rate], value):
                wrong.append((key, rate, row[rate], value))
        months = 2 if (period, key[3]) == ("quarter", Q3) else 1  # months of the period in range
        expected_communities = 24 if level == "street" else 1
        on_time = counts["registers_on_time"] / (months * expected_communities)
        if not same(row["register_on_time_rate"], on_time):
            wrong.append((key, "register_on_time_rate", row["register_on_time_rate"], on_time))
        display = None if counts["key_persons"] is None else ("<5" if counts["key_persons"] < 5 else str(counts["key_persons"]))
        if row["key_persons_display"] != display:
            wrong.append((key, "key_persons_display", row["key_persons_display"], display))
        if level != "street" and row["has_register"] != (counts["registers_in_snapshot"] > 0):
            wrong.append((key, "has_register", row["has_register"]))
    assert wrong == []


def test_the_other_communities_show_no_data_not_zeros(warehouse):
    rows = warehouse.query("select * from marts.kpi_community_monthly where community_code not in (?, ?)", [C1, C2])
    assert len(rows) == 22 * 3  # the street's 24 communities × 3 months, every one listed
    for row in rows:
        assert (row["has_register"], row["residents"], row["moved_in"], row["grids_active"], row["cases_accepted"],
                row["on_time_closure_rate"], row["registers_on_time"]) == (False, None, None, 0, 0, None, 0)


def test_street_and_community_extras(warehouse):
    street = {r["month_start"].isoformat(): r for r in warehouse.query("select * from marts.kpi_street_monthly")}
    assert [(m, street[m]["communities_total"], street[m]["communities_with_register"]) for m in sorted(street)] == [
        ("2025-08-01", 24, 2), ("2025-09-01", 24, 1), ("2025-10-01", 24, 2)]
    c = {(r["community_code"], r["month_start"].isoformat()): r for r in warehouse.query(
        "select * from marts.kpi_community_monthly where community_code in (?, ?)", [C1, C2])}
    assert [(k, c[k]["register_received_at"], c[k]["is_register_on_time"]) for k in sorted(c)] == [
        ((C1, "2025-08-01"), dt.datetime(2025, 8, 20, 10, 0), True),
        ((C1, "2025-09-01"), dt.datetime(2025, 9, 26, 9, 0), False),
        ((C1, "2025-10-01"), dt.datetime(2025, 10, 25, 23, 30), True),
        ((C2, "2025-08-01"), dt.datetime(2025, 8, 24, 16, 0), True),
        ((C2, "2025-09-01"), None, False),
        ((C2, "2025-10-01"), dt.datetime(2025, 10, 26, 0, 0), False)]
    quarters = warehouse.query("select quarter_start, as_of_date, is_complete, months_in_range "
                               "from marts.kpi_street_quarterly order by quarter_start")
    assert [tuple(q.values()) for q in quarters] == [
        (dt.date(2025, 7, 1), dt.date(2025, 9, 30), True, 2), (dt.date(2025, 10, 1), dt.date(2025, 10, 31), False, 1)]


# --- case facts with the real calendar ---------------------------------------------------------------
# case: (SLA working days, due date, 处置 on time, 结案 on time, working days to close, void)
CASE_EXPECTED = {
    "K1": (1, "2025-08-06", True, True, 1, False), "K2": (1, "2025-08-11", False, False, 2, False),
    "K3": (2, "2025-10-10", True, True, 2, False), "K4": (5, "2025-10-14", True, True, 5, False),
    "K5": (1, "2025-10-21", False, False, None, False), "K6": (2, "2025-10-31", False, False, None, False),
    "K7": (1, "2025-08-12", False, False, None, True), "K8": (1, "2025-09-01", True, False, 2, False),
    "K9": (1, "2025-09-16", True, True, 1, False), "K10": (1, "2025-09-11", True, True, 0, False),
    "K11": (3, "2025-08-21", True, True, 3, False), "K12": (3, "2025-10-13", True, False, 5, False),
    "K13": (1, "2025-09-08", False, False, 20, False),
}


def test_case_deadlines_and_flags_on_the_real_calendar(warehouse):
    rows = warehouse.query("select case_id, sla_working_days, cast(due_date as varchar) as due, is_handled_on_time, "
                           "is_closed_on_time, working_days_to_close, is_void from marts.fct_cases")
    assert {r.pop("case_id"): tuple(r.values()) for r in rows} == CASE_EXPECTED
    k8, k9 = (warehouse.query("select rework_count, escalation_count, initial_level, final_level, category_code, "
                              "subcategory_code, channel_code from marts.fct_cases where case_id = ?", [c])[0]
              for c in ("K8", "K9"))
    assert tuple(k8.values()) == (1, 0, 2, 2, "06", "0601", "01")
    assert tuple(k9.values()) == (0, 1, 1, 2, "03", "0302", "05")


# --- the monthly assessment ----------------------------------------------------------------------------
ASSESSMENT = ("patrolled_working_days", "work_log_days", "households_visited", "household_visit_target",
              "key_persons_visited", "key_person_visit_target", "cases_accepted", "cases_handled_on_time",
              "cases_evaluated", "cases_satisfied", "patrol_rate", "household_visits_rate", "key_person_visits_rate",
              "on_time_handling_rate", "satisfaction_rate", "work_log_rate", "score", "pay_band", "pay_share",
              "rank_in_street", "is_last_in_street", "last_place_streak", "is_laggard", "laggard_months_in_year",
              "has_last_place_penalty")
# Monthly targets: households / 12 and key persons / 3 (full months held). Weights 30 patrol, 20 household
# visits, 10 key-person visits, 20 on-time handling, 10 satisfaction, 10 diary. A component with nothing
# to measure scores its weight. Cases count for the worker holding the grid when they were reported.
ASSESSMENT_EXPECTED = {
    # W11 Aug: 18/21 patrol and diary; 31 of 400/12; 1 of 1/3 key; K1 on time, K2 not; K1 满意, K2 不满意
    #   30·18/21 + 20·0.93 + 10 + 20·0.5 + 10·0.5 + 10·18/21 = 77.885… → 77.89, band C (80 %)
    (W11, AUG): (18, 18, 31, 400 / 12, 1, 1 / 3, 2, 1, 2, 1, 18 / 21, 0.93, 1.0, 0.5, 0.5, 18 / 21, 77.89, "C", 0.8,
                 1, False, 0, False, 0, False),
    # W12 Aug: 10/21 patrol, 5/21 diary (18–22 Aug without); 35 of 350/12; p5 not visited; K8 handled on time
    #   30·10/21 + 20 + 0 + 20 + 10 + 10·5/21 = 66.666… → 66.67, band D
    (W12, AUG): (10, 5, 35, 350 / 12, 0, 1 / 3, 1, 1, 0, 0, 10 / 21, 1.0, 0.0, 1.0, 1.0, 5 / 21, 66.67, "D", 0.0,
                 2, False, 0, False, 0, False),
    # W21 Aug: 2/21 (Saturday 9 Aug is no working day); 50 of 500/12; q1 not visited; K11 on time and 满意
    #   30·2/21 + 20 + 0 + 20 + 10 + 10·2/21 = 53.809… → 53.81, last of 3, bottom 3 % (ceiling 0.09 = 1)
    (W21, AUG): (2, 2, 50, 500 / 12, 0, 1 / 3, 1, 1, 1, 1, 2 / 21, 1.0, 0.0, 1.0, 1.0, 2 / 21, 53.81, "D", 0.0,
                 3, True, 1, True, 1, False),
    # W11 Sep: every component full (no key person left, nothing evaluated in Sep) = 100, tied first
    (W11, SEP): (23, 23, 40, 400 / 12, 0, 0.0, 2, 2, 0, 0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 100.0, "A", 1.0,
                 1, False, 0, False, 0, False),
    # W12 Sep: 5/23 patrol and diary; 25 of 250/12 (the redrawn grid); p5 not visited; K9 on time; K8, K9 满意
    #   30·5/23 + 20 + 0 + 20 + 10 + 10·5/23 = 58.695… → 58.70
    (W12, SEP): (5, 5, 25, 250 / 12, 0, 1 / 3, 1, 1, 2, 2, 5 / 23, 1.0, 0.0, 1.0, 1.0, 5 / 23, 58.7, "D", 0.0,
                 3, False, 0, False, 0, False),
    # W13 Sep: everything full = 100, tied first
    (W13, SEP): (23, 23, 5, 40 / 12, 0, 0.0, 1, 1, 1, 1, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 100.0, "A", 1.0,
                 1, False, 0, False, 0, False),
    # W21 Sep: no patrol, diary or visit; key persons unknown (no register) → full; K13 late; nothing evaluated
    #   0 + 0 + 10 + 0 + 10 + 0 = 20; last for the second month running → loses 2 months' subsidy
    (W21, SEP): (0, 0, 0, 500 / 12, 0, 0.0, 1, 0, 0, 0, 0.0, 0.0, 1.0, 0.0, 1.0, 0.0, 20.0, "D", 0.0,
                 4, True, 2, True, 2, True),
    # W11 Oct: 11 of 400/12 = 0.33; K5 late, K6 not handled; K3, K4 satisfied: 30 + 6.6 + 10 + 0 + 10 + 10 = 66.6
    (W11, OCT): (18, 18, 11, 400 / 12, 1, 0.0, 2, 0, 2, 2, 1.0, 0.33, 1.0, 0.0, 1.0, 1.0, 66.6, "D", 0.0,
                 2, False, 0, False, 0, False),
    # W12 Oct: nothing done; p5 and p10 not visited; no cases: 0 + 0 + 0 + 20 + 10 + 0 = 30, last
    (W12, OCT): (0, 0, 0, 250 / 12, 0, 2 / 3, 0, 0, 0, 0, 0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 30.0, "D", 0.0,
                 4, True, 1, True, 1, False),
    # W13 Oct: no household visit: 30 + 0 + 10 + 20 + 10 + 10 = 80 → band B (80 is inclusive), first
    (W13, OCT): (18, 18, 0, 40 / 12, 0, 0.0, 0, 0, 0, 0, 1.0, 0.0, 1.0, 1.0, 1.0, 1.0, 80.0, "B", 0.9,
                 1, False, 0, False, 0, False),
    # W21 Oct: 1/18 patrol and diary; 1 household of 500/12; 2 key persons visited of 1/3; K12 handled on
    #   time; K13 evaluated 不满意: 30/18 + 20·0.024 + 10 + 20 + 0 + 10/18 = 32.702… → 32.70
    (W21, OCT): (1, 1, 1, 500 / 12, 2, 1 / 3, 1, 1, 1, 0, 1 / 18, 0.024, 1.0, 1.0, 0.0, 1 / 18, 32.7, "D", 0.0,
                 3, False, 0, False, 2, False),
}


def test_assessment_scores_equal_the_hand_computed_values(warehouse):
    rows = {(r["worker_id"], r["month_start"].isoformat()): r
            for r in warehouse.query("select * from marts.kpi_worker_assessment_monthly")}
    assert set(rows) == set(ASSESSMENT_EXPECTED)
    wrong = []
    for key, values in ASSESSMENT_EXPECTED.items():
        for column, value in zip(ASSESSMENT, values):
            actual = rows[key][column]
            ok = actual == value if isinstance(value, (str, bool)) else same(actual, value)
            if not ok:
                wrong.append((key, column, actual, value))
        if not same(rows[key]["salary_share_released"], rows[key]["pay_share"] * 0.2):
            wrong.append((key, "salary_share_released"))
    assert wrong == []


# --- breakdowns: special groups (suppressed) and the channel and category mix ----------------------------
SPECIAL_GROUPS = {  # residents with the tag in the snapshot register (tags of persons not resident drop out)
    ("community", C1, "month", AUG): {"独居老人": 1, "空巢老人": 1, "低保": 1, "社区矫正": 1, "精神障碍": 1},
    ("community", C1, "month", SEP): {"独居老人": 1, "空巢老人": 1, "低保": 1, "精神障碍": 1},  # p4 died
    ("community", C1, "month", OCT): {"独居老人": 1, "空巢老人": 1, "低保": 1, "精神障碍": 1, "刑释解教": 1},
    ("community", C2, "month", AUG): {"吸毒人员": 1, "留守儿童": 1},
    ("community", C2, "month", OCT): {"吸毒人员": 1},
    ("street", STREET, "month", AUG): {"独居老人": 1, "空巢老人": 1, "低保": 1, "社区矫正": 1, "精神障碍": 1,
                                       "吸毒人员": 1, "留守儿童": 1},
    ("street", STREET, "quarter", Q3): {"独居老人": 1, "空巢老人": 1, "低保": 1, "精神障碍": 1},
    ("street", STREET, "quarter", Q4): {"独居老人": 1, "空巢老人": 1, "低保": 1, "精神障碍": 1, "刑释解教": 1,
                                        "吸毒人员": 1},
}
SENSITIVE = {"社区矫正", "刑释解教", "精神障碍", "吸毒人员", "邪教"}


def test_special_groups_are_counted_and_sensitive_ones_suppressed(warehouse):
    rows = warehouse.query("select area_level, area_code, period_type, cast(period_start as varchar) as start, "
                           "tag_name, is_sensitive, persons, is_suppressed, persons_display from marts.kpi_special_groups")
    by_area = {}
    for r in rows:
        by_area.setdefault((r["area_level"], r["area_code"], r["period_type"], r["start"]), []).append(r)
    for key, counts in SPECIAL_GROUPS.items():
        tags = by_area[key]
        assert len(tags) == 10  # every tag of the seed, zeros included
        for r in tags:
            n = counts.get(r["tag_name"], 0)
            assert r["persons"] == n and r["is_sensitive"] == (r["tag_name"] in SENSITIVE), (key, r)
            assert r["persons_display"] == ("<5" if r["is_sensitive"] else str(n)), (key, r)
            assert r["is_suppressed"] == r["is_sensitive"]
    assert ("community", C2, "month", SEP) not in by_area  # no register, no row


def test_channel_and_category_mix(warehouse):
    rows = warehouse.query("select mix_type, mix_code, mix_name, cases, share_of_cases from marts.kpi_case_mix "
                           "where area_level = 'street' and period_type = 'quarter' and period_start = ?",
                           [dt.date(2025, 7, 1)])
    mix = {(r["mix_type"], r["mix_code"], r["mix_name"]): (r["cases"], r["share_of_cases"]) for r in rows}
    # Q3 cohort: K1 K2 K3 K4 K8 K9 K10 K11 K13 (9 cases)
    assert mix == {
        ("channel", "01", "网格员巡查"): (5, 5 / 9),  # K1 K4 K8 K10 K13
        ("channel", "02", "群众小程序"): (1, 1 / 9),  # K3
        ("channel", "03", "电话"): (1, 1 / 9),  # K2
        ("channel", "05", "部门移交"): (2, 2 / 9),  # K9 K11
        ("category", "01", "矛盾纠纷"): (1, 1 / 9),  # K2
        ("category", "02", "安全隐患"): (2, 2 / 9),  # K4 K11
        ("category", "03", "城市管理"): (2, 2 / 9),  # K3 K9
        ("category", "04", "环境卫生"): (2, 2 / 9),  # K1 K13
        ("category", "05", "民生服务"): (1, 1 / 9),  # K10
        ("category", "06", "治安防控"): (1, 1 / 9),  # K8
    }


def test_the_suppression_threshold_is_a_parameter(warehouse, tmp_path):
    """With var suppression_threshold = 1 a sensitive count of 1 shows as 1 and only 0 as `<1`."""
    copy = new_warehouse(tmp_path, lake_from=warehouse.paths.lake)
    copy.paths.data.mkdir(parents=True, exist_ok=True)
    copy.paths.warehouse.write_bytes(warehouse.paths.warehouse.read_bytes())
    copy.build("run", "--select", "kpi_special_groups", "--vars", "{suppression_threshold: 1}")
    rows = copy.query("select tag_name, persons, persons_display from marts.kpi_special_groups "
                      "where area_level = 'street' and period_type = 'month' and period_start = ? and is_sensitive",
                      [dt.date(2025, 8, 1)])
    assert {r["tag_name"]: r["persons_display"] for r in rows} == {
        "社区矫正": "1", "刑释解教": "<1", "精神障碍": "1", "吸毒人员": "1", "邪教": "<1"}
