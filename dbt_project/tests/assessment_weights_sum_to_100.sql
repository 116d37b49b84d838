-- The weights of the monthly assessment (seed assessment_weights) add up to 100 points.
select sum(weight) as total_weight
from {{ ref('assessment_weights') }}
having abs(sum(weight) - 100) > 0.000001
