-- Organizations the documents name, one row per document, organization and role:
--   issuer            the issuing body of the document (int_documents__enriched)
--                     and of each of its targets;
--   responsible_unit  each unit a plan assigns (责任单位/牵头单位/责任部门：市科技局、市发改委).
-- A name relative to its place (市科技局, 省发改委) belongs to the document's
-- region; a name that starts with a division's name (泉州市人民政府) to that
-- division; any other name (国务院) to none. organization_id hashes the name with the region code, so 市科技局
-- of 泉州 and of 晋江 are two organizations.
-- An incremental table by document (macros/incremental_by_document.sql), not a
-- view: the regex over every document's text would otherwise run for each of
-- the two marts that read it, in every build. A document that names no
-- organization has no row, so each run looks at it again (one regex over its
-- text).
{{ config(**incremental_by_document_config(every_document=true)) }}

with documents as (

    select current_document.*, documents.clean_text
    from ({{ current_documents(every_document=true) }}) as current_document
    inner join {{ ref('stg_raw__documents') }} as documents on current_document.document_id = documents.document_id
    {% if is_incremental() %}
    where current_document.document_id in ({{ documents_to_refresh(every_document=true) }})
    {% endif %}

),

-- Filtered to the documents above: DuckDB does not push the filter into the views.
enriched as (

    select * from {{ ref('int_documents__enriched') }}
    where document_id in (select document_id from documents)

),

issuers as (

    select document_id, issuing_body as organization_name, 'issuer' as role
    from enriched
    where issuing_body is not null
    union
    select document_id, issuer, 'issuer'
    from {{ ref('int_targets__enriched') }}
    where issuer is not null
        and document_id in (select document_id from documents)

),

assignments as (

    -- The list after the label, up to the end of the sentence; parenthesised
    -- parts (各县(市、区)) removed, then cut at a closing bracket (the label
    -- often stands inside one: （责任单位：市科技局）).
    select
        document_id,
        regexp_replace(
            regexp_replace(unit_list, '[(（][^()（）]*[)）]', '', 'g'),
            '[)）].*$', ''
        ) as unit_list
    from (
        select
            document_id,
            unnest(regexp_extract_all(
                clean_text,
                '(?:责任单位|牵头单位|责任部门|牵头部门)[ \t\x{3000}]*[:：][ \t\x{3000}]*([^\n。；;]+)',
                1
            )) as unit_list
        from documents
    )

),

split as (

    select
        document_id,
        list_filter(
            list_transform(regexp_split_to_array(unit_list, '[、，,/ \x{3000}]+'), x -> regexp_replace(trim(x), '等$', '')),
            x -> length(x) >= 2
        ) as units
    from assignments

),

-- In 市科技局、发改委、财政局 the place prefix of the first unit holds for the rest.
responsible as (

    select distinct
        document_id,
        case
            when regexp_matches(unit_name, '^[省市县区]') or not regexp_matches(units[1], '^[省市县区]')
                then unit_name
            else left(units[1], 1) || unit_name
        end as organization_name,
        'responsible_unit' as role
    from (select document_id, units, unnest(units) as unit_name from split)

),

mentions as (

    select * from issuers
    union
    select * from responsible

),

-- The division an organization's name starts with (泉州市人民政府 -> 泉州市).
name_regions as (

    select
        mentions.organization_name,
        -- ties (a name several divisions share) to the smallest code, the same in every build
        first(
            variants.region_code
            order by variants.variant_length * 10 + variants.level_rank desc, variants.region_code
        ) as region_code
    from (select distinct organization_name from mentions) as mentions
    inner join {{ ref('int_regions__name_variants') }} as variants
        on variants.match_rank in (1, 2)
        and variants.variant_length >= 2
        and starts_with(mentions.organization_name, variants.variant)
    group by mentions.organization_name

)

select
    {{ short_key(['mentions.organization_name', "coalesce(name_regions.region_code, case when regexp_matches(mentions.organization_name, '^[省市县区州]') then enriched.region_code end)"]) }}
        as organization_id,
    mentions.document_id,
    documents.loaded_at,
    documents.extracted_at,
    mentions.organization_name,
    mentions.role,
    coalesce(
        name_regions.region_code,
        case when regexp_matches(mentions.organization_name, '^[省市县区州]') then enriched.region_code end
    ) as region_code,
    case
        when regexp_matches(mentions.organization_name, '^(中共|中国共产党)|党委|[市县区省]委$') then 'party'
        when regexp_matches(mentions.organization_name, '人民政府(办公厅|办公室)?$|政府$|国务院') then 'government'
        when regexp_matches(mentions.organization_name, '人民代表大会|人大|政协') then 'legislature'
        when regexp_matches(mentions.organization_name, '(日报|晚报|早报|新闻|电视台|融媒体|网)$') then 'media'
        when regexp_matches(mentions.organization_name, '(局|厅|委|委员会|办|部|署|中心|管委会)$') then 'department'
        else 'other'
    end as organization_type
from mentions
inner join enriched on mentions.document_id = enriched.document_id
inner join documents on mentions.document_id = documents.document_id
left join name_regions on mentions.organization_name = name_regions.organization_name
