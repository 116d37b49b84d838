-- A closed case was accepted, and closed at or after its acceptance (DOMAIN.md §4.4).
select case_id, accepted_at, closed_at
from {{ ref('fct_cases') }}
where is_closed
    and (accepted_at is null or closed_at < accepted_at)
