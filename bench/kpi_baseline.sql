-- Hand-written KPI baseline: the headline KPI marts straight from the Parquet lake, in one DuckDB
-- script (no dbt, no warehouse). It is the ceiling for the transformation step: what one tuned
-- query batch over the same files costs, against `dbt build` over staging ► intermediate ► marts.
--
-- Inputs (set by bench/kpi_baseline.py before the script runs, or by hand in the duckdb CLI:
--   SET VARIABLE lake = 'data/lake'; SET VARIABLE seeds = 'dbt_project/seeds'; .read bench/kpi_baseline.sql):
--   lake/<source>/month=YYYY-MM/<slice>.parquet   grids, population, cases, patrols (hive layout;
--                                                  read with hive_types_autocast=false: codes stay text)
--   lake/_reference/calendar.parquet              the Chinese working-day calendar (pipelines/calendar.py)
--   seeds/divisions.csv, seeds/sla_by_level.csv   NBS division codes and working-day SLA per handling level
--
-- Slice semantics, as the staging models read the lake: every Parquet file in the lake is the current
-- version of its slice (a re-submission or backfill replaced the file in place), so all files are read
-- and nothing is filtered on the ledger (the staging models do not filter on `landed` either: rejected,
-- duplicate and superseded files left no slice behind). Quarantine, ledger and quality folders start with
-- `_` and are not matched by the source globs.
--
-- Output tables (temporary tables hold the intermediate steps):
--   kpi_grid_monthly_baseline       one row per grid in force and month
--   kpi_community_monthly_baseline  one row per community of the street(s) with grids and month
--   kpi_street_monthly_baseline     one row per street and month
-- with, per area and month:
--   residents, residents_registered / _floating / _foreign (户籍/流动/境外: status 在住 or 外出 in the
--     month's register), households (distinct building|unit|room of residents per grid, summed),
--     has_register; null population figures when no register landed (never zeros), as the marts;
--   cases_accepted (cohort accepted in the month, voided cases excluded), cases_accepted_closed,
--     cases_closed_on_time (closed before the end of the N-th working day after the day of acceptance,
--     N = sla_by_level of the case's final handling level, 5 after an extension), cases_closed (closed in
--     the month), open_cases_at_end and overdue_open_cases (open at the month's end or the data cut-off,
--     deadline passed), closure_rate (结案率), on_time_closure_rate (按期结案率);
--   grids_active (grid codes with a version in force on a day of the month), grids_patrolled (with at
--     least one 巡查 record on a day the grid was in force), patrol_coverage = grids_patrolled / grids_active;
--   population flows since the community's register of the month before (null without both registers):
--     moved_in, transferred_in, moved_out, transferred_out, deaths (a grid counts transfers in its moves
--     in and out; a community's and a street's moves are arrivals and departures, transfers apart).
-- Months run from the first month with a register, case step or patrol to the data cut-off (the last day
-- with a case step or patrol); a month the cut-off falls in is measured up to the cut-off (as_of_date).
-- Areas: a case belongs to the grid of its first step, and to the community of that grid's version in
-- force on the day it was reported (fallback: any version of the grid); a grid belongs, for a month, to
-- the community of its version in force on its last day in force in the month.
--
-- Where it differs from the marts (kpi_*_monthly in the serving snapshot):
--   * Only the columns above. Not computed: quarterly marts, patrol frequency and compliance
--     (required_patrol_days, grids_patrolled_at_frequency), household and key-person visit coverage and
--     their duty windows, key persons and special groups, register timeliness, handling-on-time, rework, satisfaction, level shares, median working
--     days to close, overdue ages, worker columns, grid size bands, case mix and worker assessment.
--   * patrol_coverage is a baseline column; the marts hold its two counts (grids_patrolled, grids_active).
--   * No incremental logic: every run recomputes every case (the mart fct_cases is incremental and, after
--     a full refresh, equal to a recomputation).
--   * No data tests (the marts' dbt build also runs ~160 of them) and no mart is published.
--   * Grid versions are derived as int_grids_versioned does (retired by a later table of the grid's own
--     street), but only the columns the KPIs need are kept.
--   * The dbt vars the figures use are literals here: resident statuses 在住/外出 (resident_statuses) and
--     the 5 working days after an extension (max_extended_working_days); change both places together.
--   * The street table also carries has_register (any community register of the month); the street mart
--     has communities_with_register instead. A grid has a register when its community's register landed
--     (its population figures are then zeros when the register lists nobody in it), as in the grid mart.
--   * Every lake source must have at least one slice (an empty glob is an error, as for dbt's sources).
-- Checked on the demo year (24 communities × 12 months, with the July grid redraw, late, corrected and
-- rejected files): every column above that the marts also have equals kpi_grid_monthly,
-- kpi_community_monthly and kpi_street_monthly on every row (bench/kpi_baseline.py compares the
-- community table on each run; tests/bench/test_baselines.py holds it on the small demo).

-- Row order of the tables below is irrelevant: let DuckDB drop it (less memory on large inputs).
set preserve_insertion_order = false;

-- Calendar: working days numbered, so "N working days after" is a lookup --------------------------------
create temp table bl_calendar as
select calendar_date, is_working_day,
       sum(case when is_working_day then 1 else 0 end) over (order by calendar_date) as working_day_number
from read_parquet(getvariable('lake') || '/_reference/calendar.parquet');

create temp table bl_sla as
select handling_level, working_days
from read_csv(getvariable('seeds') || '/sla_by_level.csv', header = true,
              columns = {'handling_level': 'INTEGER', 'working_days': 'INTEGER', 'handler': 'VARCHAR'});

create temp table bl_divisions as
select *
from read_csv(getvariable('seeds') || '/divisions.csv', header = true,
              columns = {'code': 'VARCHAR', 'name': 'VARCHAR', 'level': 'VARCHAR', 'parent_code': 'VARCHAR'});

-- Lake sources, only the columns used ---------------------------------------------------------------
create temp table bl_grids as
select grid_code, community_code, substring(community_code, 1, 9) as street_code, valid_from,
       cast(report_month || '-01' as date) as table_as_of_date, source_row
from read_parquet(getvariable('lake') || '/grids/month=*/*.parquet',
                  hive_partitioning = true, hive_types_autocast = false, union_by_name = true);

-- The register is the largest source (one row per person and month): a view, so that it streams into
-- the aggregates below instead of being held in memory.
create temp view bl_residents as
select person_id, community_code, grid_code, cast(report_month || '-01' as date) as month_start, registration_type,
       residence_status, residence_status in ('在住', '外出') as is_resident,
       building || '|' || unit || '|' || room as household_key
from read_parquet(getvariable('lake') || '/population/month=*/*.parquet',
                  hive_partitioning = true, hive_types_autocast = false, union_by_name = true);

create temp table bl_patrols as
select grid_code, cast(started_at as date) as patrol_date, patrol_type
from read_parquet(getvariable('lake') || '/patrols/month=*/*.parquet',
                  hive_partitioning = true, hive_types_autocast = false, union_by_name = true);

-- Cases: one row per case from its workflow steps (the same case's steps come from several day files)
create temp table bl_case_steps as
select
    case_id,
    min(step_at) filter (where action = '上报') as reported_at,
    min(step_at) filter (where action = '受理') as accepted_at,
    max(step_at) filter (where action = '结案') as closed_at,
    count(*) filter (where action = '作废') > 0 as is_void,
    count(*) filter (where action = '延期') as extension_count,
    min(step_at) as first_step_at,
    max(step_at) as last_step_at,
    arg_min_null(grid_code, struct_pack(step_at, source_file, source_row)) as grid_code,
    arg_max_null(handling_level, struct_pack(step_at, source_file, source_row)) as final_level
from read_parquet(getvariable('lake') || '/cases/month=*/*.parquet',
                  hive_partitioning = true, hive_types_autocast = false, union_by_name = true)
group by case_id;

-- Months of the data range, each measured up to its last day or the data cut-off --------------------
create temp table bl_months as
with bounds as (
    select
        date_trunc('month', least(
            (select min(month_start) from bl_residents),
            (select min(cast(first_step_at as date)) from bl_case_steps),
            (select min(patrol_date) from bl_patrols)))::date as first_day,
        coalesce(
            greatest((select max(cast(last_step_at as date)) from bl_case_steps), (select max(patrol_date) from bl_patrols)),
            last_day((select max(month_start) from bl_residents))) as last_day
)
select
    month_start::date as month_start,
    least(last_day(month_start::date), bounds.last_day) as as_of_date,
    last_day(month_start::date) <= bounds.last_day as is_complete
from bounds, range(bounds.first_day, bounds.last_day + 1, interval 1 month) as r(month_start);

-- Grid versions: (grid_code, valid_from); a version ends the day before the next one, or the day before
-- the first grid table of its street that no longer lists it (each street sends its own table; NBS codes
-- nest, so a community's first 9 digits are its street) ----------------------------------------------
create temp table bl_grid_versions as
with tables_received as (select distinct street_code, table_as_of_date from bl_grids),
latest as (
    select grid_code, valid_from, community_code,
           min(street_code) over (partition by grid_code, valid_from) as street_code,
           max(table_as_of_date) over (partition by grid_code, valid_from) as last_listed,
           row_number() over (partition by grid_code, valid_from order by table_as_of_date desc, source_row) as recency
    from bl_grids
),
retired as (
    select latest.grid_code, latest.valid_from, min(t.table_as_of_date) as retired_on
    from latest
    left join tables_received as t on t.street_code = latest.street_code and t.table_as_of_date > latest.last_listed
    where latest.recency = 1
    group by all
)
select latest.grid_code, latest.valid_from, latest.community_code,
       coalesce(lead(latest.valid_from) over (partition by latest.grid_code order by latest.valid_from) - 1,
                retired.retired_on - 1) as valid_to
from latest join retired using (grid_code, valid_from)
where latest.recency = 1;

-- Every grid version on every day of the data range it is in force
create temp table bl_grid_days as
select v.grid_code, v.community_code, c.calendar_date, m.month_start
from bl_months as m
join bl_calendar as c on c.calendar_date between m.month_start and m.as_of_date
join bl_grid_versions as v
  on c.calendar_date >= v.valid_from and (v.valid_to is null or c.calendar_date <= v.valid_to);

-- Areas: the communities of every street with a grid, and their street ------------------------------
create temp table bl_communities as
select c.code as community_code, c.parent_code as street_code
from bl_divisions as c
where c.level = 'community'
  and c.parent_code in (select d.parent_code from bl_grid_versions v join bl_divisions d on v.community_code = d.code);

-- Cases located, with their working-day deadline ----------------------------------------------------
create temp table bl_cases as
with located as (
    select s.*, coalesce(gd.community_code, fallback.community_code) as community_code
    from bl_case_steps as s
    left join bl_grid_days as gd
      on gd.grid_code = s.grid_code and gd.calendar_date = cast(coalesce(s.reported_at, s.first_step_at) as date)
    left join (select grid_code, min(community_code) as community_code from bl_grid_versions group by grid_code) as fallback
      on fallback.grid_code = s.grid_code
    where not s.is_void
),
deadlines as (
    select located.*,
           case when located.extension_count > 0 then 5 else sla.working_days end as sla_working_days,
           accepted_day.working_day_number as accepted_working_day_number
    from located
    left join bl_sla as sla on located.final_level = sla.handling_level
    left join bl_calendar as accepted_day on cast(located.accepted_at as date) = accepted_day.calendar_date
)
select d.case_id, d.grid_code, d.community_code, div.parent_code as street_code,
       cast(d.accepted_at as date) as accepted_date, cast(d.closed_at as date) as closed_date,
       due.calendar_date as due_date,
       coalesce(d.closed_at < due.calendar_date + 1, false) as is_closed_on_time
from deadlines as d
left join bl_calendar as due
  on due.is_working_day and due.working_day_number = d.accepted_working_day_number + d.sla_working_days
left join bl_divisions as div on d.community_code = div.code;

-- Measures per area level, by grouping sets over one pass of each fact: keyed by (area_level, area_code,
-- month_start), so that the marts below are equi-joins -------------------------------------------
create temp table bl_case_cohorts as
select m.month_start,
       case when grouping(c.grid_code) = 0 then 'grid' when grouping(c.community_code) = 0 then 'community'
            else 'street' end as area_level,
       coalesce(c.grid_code, c.community_code, c.street_code) as area_code,
       count(*) as cases_accepted,
       count(*) filter (where c.closed_date is not null) as cases_accepted_closed,
       count(*) filter (where c.is_closed_on_time) as cases_closed_on_time
from bl_cases as c
join bl_months as m on c.accepted_date between m.month_start and m.as_of_date
group by grouping sets ((m.month_start, c.grid_code), (m.month_start, c.community_code), (m.month_start, c.street_code));

create temp table bl_case_backlog as
with case_months as (
    select m.month_start, c.grid_code, c.community_code, c.street_code,
           c.closed_date between m.month_start and m.as_of_date as is_closed_in_month,
           c.accepted_date is not null and (c.closed_date is null or c.closed_date > m.as_of_date) as is_open_at_end,
           c.due_date <= m.as_of_date as is_past_due
    from bl_cases as c
    join bl_months as m
      on (c.accepted_date is null or c.accepted_date <= m.as_of_date)
     and (c.closed_date is null or c.closed_date >= m.month_start)
)
select month_start,
       case when grouping(grid_code) = 0 then 'grid' when grouping(community_code) = 0 then 'community'
            else 'street' end as area_level,
       coalesce(grid_code, community_code, street_code) as area_code,
       count(*) filter (where is_closed_in_month) as cases_closed,
       count(*) filter (where is_open_at_end) as open_cases_at_end,
       count(*) filter (where is_open_at_end and is_past_due) as overdue_open_cases
from case_months
group by grouping sets ((month_start, grid_code), (month_start, community_code), (month_start, street_code));

-- Population: per grid of the register, then added up (households are distinct per grid, as the marts)
create temp table bl_population as
with grid_months as (
    select r.month_start, r.grid_code, r.community_code, d.parent_code as street_code,
           count(*) filter (where r.is_resident) as residents,
           count(*) filter (where r.is_resident and r.registration_type = '户籍') as residents_registered,
           count(*) filter (where r.is_resident and r.registration_type = '流动') as residents_floating,
           count(*) filter (where r.is_resident and r.registration_type = '境外') as residents_foreign,
           count(distinct r.household_key) filter (where r.is_resident) as households
    from bl_residents as r
    join bl_divisions as d on r.community_code = d.code
    join bl_months as m on r.month_start = m.month_start
    group by all
)
select month_start,
       case when grouping(grid_code) = 0 then 'grid' when grouping(community_code) = 0 then 'community'
            else 'street' end as area_level,
       coalesce(grid_code, community_code, street_code) as area_code,
       count(distinct community_code) as registers,
       sum(residents) as residents, sum(residents_registered) as residents_registered,
       sum(residents_floating) as residents_floating, sum(residents_foreign) as residents_foreign,
       sum(households) as households
from grid_months
group by grouping sets ((month_start, grid_code), (month_start, community_code), (month_start, street_code));

-- Population flows: each person of a community's register against the community's register of the month
-- before (only when both landed). One row per person whose place changed: an arrival (no grid before),
-- a departure or death (no grid after; a death when the register lists the person as 死亡), or a
-- transfer between the community's grids. One aggregate over both months' rows, keyed by person.
create temp table bl_register_pairs as
with registers as (select distinct community_code, month_start from bl_residents)
select registers.community_code, registers.month_start, previous.month_start as previous_month_start
from registers
join registers as previous
  on previous.community_code = registers.community_code
 and previous.month_start = cast(registers.month_start - interval 1 month as date);

create temp table bl_moves as
with sides as (
    select r.person_id, p.community_code, p.month_start, null::varchar as grid_before,
           case when r.is_resident then r.grid_code end as grid_after, r.residence_status as status_after
    from bl_residents as r
    join bl_register_pairs as p on r.community_code = p.community_code and r.month_start = p.month_start
    union all
    select r.person_id, p.community_code, p.month_start, r.grid_code, null, null
    from bl_residents as r
    join bl_register_pairs as p on r.community_code = p.community_code and r.month_start = p.previous_month_start
    where r.is_resident
)
select community_code, month_start, max(grid_before) as grid_before, max(grid_after) as grid_after,
       max(status_after) as status_after
from sides
group by person_id, community_code, month_start
having max(grid_before) is distinct from max(grid_after);

-- Per area: into and out of a grid (transfers included); a community's and a street's arrivals,
-- departures (deaths included), transfers between grids and deaths, as the marts count them
create temp table bl_flows as
with grid_sides as (
    select month_start, grid_after as grid_code, count(*) as moved_in, count(grid_before) as transferred_in,
           0 as moved_out, 0 as transferred_out, 0 as deaths
    from bl_moves where grid_after is not null group by all
    union all
    select month_start, grid_before, 0, 0, count(*), count(grid_after),
           count(*) filter (where grid_after is null and status_after = '死亡')
    from bl_moves where grid_before is not null group by all
)
select month_start, 'grid' as area_level, grid_code as area_code, sum(moved_in) as moved_in,
       sum(transferred_in) as transferred_in, sum(moved_out) as moved_out, sum(transferred_out) as transferred_out,
       sum(deaths) as deaths
from grid_sides group by month_start, grid_code
union all
select month_start, case when grouping(community_code) = 0 then 'community' else 'street' end,
       coalesce(community_code, d.parent_code),
       count(*) filter (where grid_before is null), count(*) filter (where grid_before is not null and grid_after is not null),
       count(*) filter (where grid_after is null), count(*) filter (where grid_before is not null and grid_after is not null),
       count(*) filter (where grid_after is null and status_after = '死亡')
from bl_moves join bl_divisions as d on bl_moves.community_code = d.code
group by grouping sets ((month_start, community_code), (month_start, d.parent_code));

-- Areas whose flows are measured: a community with both registers, a street with one such community
create temp table bl_previous_registers as
select month_start, case when grouping(community_code) = 0 then 'community' else 'street' end as area_level,
       coalesce(community_code, d.parent_code) as area_code, count(*) as pairs
from bl_register_pairs join bl_divisions as d on bl_register_pairs.community_code = d.code
group by grouping sets ((month_start, community_code), (month_start, d.parent_code));

-- Coverage per grid and month: the grid's community on its last day in force, patrolled or not
create temp table bl_grid_coverage as
with patrolled as (
    select gd.grid_code, gd.month_start,
           arg_max(gd.community_code, gd.calendar_date) as community_code,
           count(p.grid_code) filter (where p.patrol_type = '巡查') as patrols
    from bl_grid_days as gd
    left join bl_patrols as p on p.grid_code = gd.grid_code and p.patrol_date = gd.calendar_date
    group by gd.grid_code, gd.month_start
)
select patrolled.*, c.street_code
from patrolled left join bl_communities as c using (community_code);

create temp table bl_coverage as
select month_start,
       case when grouping(grid_code) = 0 then 'grid' when grouping(community_code) = 0 then 'community'
            else 'street' end as area_level,
       coalesce(grid_code, community_code, street_code) as area_code,
       count(*) as grids_active,
       count(*) filter (where patrols > 0) as grids_patrolled
from bl_grid_coverage
group by grouping sets ((month_start, grid_code), (month_start, community_code), (month_start, street_code));

-- The three headline marts: every grid in force, every community and street, every month -----------
create temp table bl_spine as
select 'grid' as area_level, grid_code as area_code, community_code, month_start from bl_grid_coverage
union all
select 'community', community_code, community_code, month_start from bl_communities, bl_months
union all
select distinct 'street', street_code, null, month_start from bl_communities, bl_months;

create temp table bl_kpis as
with joined as (
    select spine.area_level, spine.area_code, spine.community_code, spine.month_start, m.as_of_date, m.is_complete,
           -- a grid has a register when its community's register landed (its figures are then zeros, not nulls)
           coalesce(case spine.area_level when 'grid' then community_pop.registers else pop.registers end, 0) > 0
               as has_register,
           pop.residents, pop.residents_registered, pop.residents_floating, pop.residents_foreign, pop.households,
           coalesce(coh.cases_accepted, 0) as cases_accepted,
           coalesce(coh.cases_accepted_closed, 0) as cases_accepted_closed,
           coalesce(coh.cases_closed_on_time, 0) as cases_closed_on_time,
           coalesce(bl.cases_closed, 0) as cases_closed,
           coalesce(bl.open_cases_at_end, 0) as open_cases_at_end,
           coalesce(bl.overdue_open_cases, 0) as overdue_open_cases,
           coalesce(cov.grids_active, 0) as grids_active,
           coalesce(cov.grids_patrolled, 0) as grids_patrolled,
           coalesce(case spine.area_level when 'grid' then community_prev.pairs else prev.pairs end, 0) > 0
               as has_previous_register,
           flows.moved_in, flows.transferred_in, flows.moved_out, flows.transferred_out, flows.deaths
    from bl_spine as spine
    join bl_months as m using (month_start)
    left join bl_population as pop using (area_level, area_code, month_start)
    left join bl_population as community_pop
      on community_pop.area_level = 'community' and community_pop.area_code = spine.community_code
     and community_pop.month_start = spine.month_start
    left join bl_case_cohorts as coh using (area_level, area_code, month_start)
    left join bl_case_backlog as bl using (area_level, area_code, month_start)
    left join bl_coverage as cov using (area_level, area_code, month_start)
    left join bl_flows as flows using (area_level, area_code, month_start)
    left join bl_previous_registers as prev using (area_level, area_code, month_start)
    left join bl_previous_registers as community_prev
      on community_prev.area_level = 'community' and community_prev.area_code = spine.community_code
     and community_prev.month_start = spine.month_start
)
select * replace (
           case when has_register then coalesce(residents, 0) end as residents,
           case when has_register then coalesce(residents_registered, 0) end as residents_registered,
           case when has_register then coalesce(residents_floating, 0) end as residents_floating,
           case when has_register then coalesce(residents_foreign, 0) end as residents_foreign,
           case when has_register then coalesce(households, 0) end as households,
           case when has_previous_register then coalesce(moved_in, 0) end as moved_in,
           case when has_previous_register then coalesce(transferred_in, 0) end as transferred_in,
           case when has_previous_register then coalesce(moved_out, 0) end as moved_out,
           case when has_previous_register then coalesce(transferred_out, 0) end as transferred_out,
           case when has_previous_register then coalesce(deaths, 0) end as deaths),
       cases_accepted_closed / nullif(cases_accepted, 0) as closure_rate,
       cases_closed_on_time / nullif(cases_accepted, 0) as on_time_closure_rate,
       grids_patrolled / nullif(grids_active, 0) as patrol_coverage
from joined;

create table kpi_grid_monthly_baseline as
select area_code as grid_code, * exclude (area_level, area_code) from bl_kpis where area_level = 'grid';

create table kpi_community_monthly_baseline as
select area_code as community_code, * exclude (area_level, area_code, community_code)
from bl_kpis where area_level = 'community';

create table kpi_street_monthly_baseline as
select area_code as street_code, * exclude (area_level, area_code, community_code)
from bl_kpis where area_level = 'street';
