-- Organizations the documents name: issuers of documents and targets, and the
-- units plans assign (责任单位), one row per name and region (市科技局 of 泉州 and
-- of 晋江 are two rows). Roles and document counts come from
-- fct_document_organizations' source, int_organizations__mentions.
with mentions as (

    select * from {{ ref('int_organizations__mentions') }}

)

select
    organization_id,
    min(organization_name) as organization_name,
    min(organization_type) as organization_type,
    min(region_code) as region_code,
    string_agg(distinct role, ', ' order by role) as roles,
    cast(count(distinct document_id) as bigint) as document_count

from mentions
group by organization_id
