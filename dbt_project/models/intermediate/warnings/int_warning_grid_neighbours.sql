-- Pairs of current grids that share a stretch of boundary in the grid table's polygons (both
-- directions). Two grids share a boundary when at least two vertices of one lie on the other's
-- boundary (within about 0.1 m; the ring's closing vertex is its first): neighbours along a side, not grids that only touch at a corner.
-- Only pairs whose bounding boxes touch are compared.
with

grids as (
    select grid_code, boundary_wkt from {{ ref('int_grids_versioned') }} where valid_to is null
),

vertices as (
    {{ wkt_vertices('grids', 'grid_code', 'boundary_wkt') }}
),

edges as (
    select
        vertices.grid_code,
        vertices.x as x1,
        vertices.y as y1,
        next_vertex.x as x2,
        next_vertex.y as y2
    from vertices
    inner join vertices as next_vertex
        on vertices.grid_code = next_vertex.grid_code and next_vertex.vertex_number = vertices.vertex_number + 1
),

boxes as (
    select grid_code, min(x) as min_x, max(x) as max_x, min(y) as min_y, max(y) as max_y
    from vertices
    group by grid_code
),

touching as (
    select a.grid_code, b.grid_code as other_grid_code
    from boxes as a
    inner join boxes as b
        on a.grid_code <> b.grid_code
        and a.min_x <= b.max_x + 1e-6 and b.min_x <= a.max_x + 1e-6
        and a.min_y <= b.max_y + 1e-6 and b.min_y <= a.max_y + 1e-6
),

-- A vertex lies on an edge when its distance to the segment is below the tolerance.
vertices_on_boundary as (
    select
        touching.grid_code,
        touching.other_grid_code,
        cast(round(vertices.x, 7) as {{ dbt.type_string() }}) || ' ' || cast(round(vertices.y, 7) as {{ dbt.type_string() }}) as vertex
    from touching
    inner join vertices on touching.grid_code = vertices.grid_code
    inner join edges on touching.other_grid_code = edges.grid_code
    where abs((edges.x2 - edges.x1) * (vertices.y - edges.y1) - (edges.y2 - edges.y1) * (vertices.x - edges.x1))
            <= 1e-6 * sqrt(power(edges.x2 - edges.x1, 2) + power(edges.y2 - edges.y1, 2))
        and (vertices.x - edges.x1) * (edges.x2 - edges.x1) + (vertices.y - edges.y1) * (edges.y2 - edges.y1)
            between -1e-12 and power(edges.x2 - edges.x1, 2) + power(edges.y2 - edges.y1, 2) + 1e-12
),

shared as (
    select grid_code, other_grid_code, count(distinct vertex) as shared_vertices
    from vertices_on_boundary
    group by grid_code, other_grid_code
),

pairs as (
    select grid_code, other_grid_code, shared_vertices from shared
    union all
    select other_grid_code as grid_code, grid_code as other_grid_code, shared_vertices from shared
),

final as (
    select grid_code, other_grid_code as neighbour_grid_code
    from pairs
    group by grid_code, other_grid_code
    having max(shared_vertices) >= 2
)

select * from final
