-- Which organization a document names in which role (issuer | responsible_unit),
-- one row each: the bridge between dim_documents and dim_organizations.
select distinct
    {{ short_key(['document_id', 'organization_id', 'role']) }} as document_organization_id,
    document_id,
    organization_id,
    role
from {{ ref('int_organizations__mentions') }}
