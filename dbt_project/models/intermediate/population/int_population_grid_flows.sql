-- One row per grid and month with at least one move into or out of it (int_residents_moves).
-- moved_in counts arrivals and transfers from another grid of the community (transferred_in);
-- moved_out counts departures, deaths and transfers to another grid (transferred_out).
with

moves as (
    select * from {{ ref('int_residents_moves') }}
),

moves_in as (
    select
        grid_code_after as grid_code,
        community_code,
        month_start,
        count(*) as moved_in,
        {{ count_where("move_type = 'transfer'") }} as transferred_in
    from moves
    where grid_code_after is not null
    group by grid_code_after, community_code, month_start
),

moves_out as (
    select
        grid_code_before as grid_code,
        community_code,
        month_start,
        count(*) as moved_out,
        {{ count_where("move_type = 'transfer'") }} as transferred_out,
        {{ count_where("move_type = 'death'") }} as deaths
    from moves
    where grid_code_before is not null
    group by grid_code_before, community_code, month_start
),

final as (
    select
        coalesce(moves_in.grid_code, moves_out.grid_code) as grid_code,
        coalesce(moves_in.community_code, moves_out.community_code) as community_code,
        coalesce(moves_in.month_start, moves_out.month_start) as month_start,
        coalesce(moves_in.moved_in, 0) as moved_in,
        coalesce(moves_in.transferred_in, 0) as transferred_in,
        coalesce(moves_out.moved_out, 0) as moved_out,
        coalesce(moves_out.transferred_out, 0) as transferred_out,
        coalesce(moves_out.deaths, 0) as deaths
    from moves_in
    full outer join moves_out
        on moves_in.grid_code = moves_out.grid_code
        and moves_in.community_code = moves_out.community_code
        and moves_in.month_start = moves_out.month_start
)

select * from final
