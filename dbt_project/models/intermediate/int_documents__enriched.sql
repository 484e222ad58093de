-- Documents with what analysts filter them by, derived from the title and the
-- head of the clean text:
--   document_number  发文字号 such as 泉政办〔2016〕87号: a line that is only a
--                    number, or one labelled 字号/文号 (a number quoted in the
--                    running text is some other document's and is not taken);
--   document_kind    plan (规划, 纲要, 计划, 方案) | report (报告, 公报) |
--                    policy (意见, 办法, 措施, 政策, 条例, 规定, 决定, 细则) |
--                    notice (通知, 通告, 公告, 批复) | news (anything else);
--   issuing_body     the issuer the extractor found in the text (发文机关 line or
--                    official title) most often, else the publisher, for any kind
--                    but news (a newspaper publishes, it does not issue);
--   region_code      the document's region resolved to a division code.
with documents as (

    select * from {{ ref('stg_raw__documents') }}

),

-- The issuer the document's targets name most often; a tie goes to the
-- first in sort order, so that every build picks the same one.
text_issuers as (

    select document_id, first(issuer order by mentions desc, issuer) as issuer
    from (
        select document_id, issuer, count(*) as mentions
        from {{ ref('int_target_mentions__current') }}
        where issuer is not null
        group by document_id, issuer
    )
    group by document_id

),

parsed as (

    select
        documents.document_id,
        documents.title,
        documents.publisher,
        documents.region,
        left(documents.clean_text, 2000) as head,
        coalesce(documents.title, split_part(ltrim(documents.clean_text), chr(10), 1)) as title_or_first_line
    from documents

),

numbered as (

    select
        *,
        nullif(regexp_replace(coalesce(
            nullif(regexp_extract(
                head,
                '(?m)^[ \t\x{3000}]*([\x{4e00}-\x{9fff}]{1,10}[〔\[［(（【][12][0-9]{3}[〕\]］)）】][0-9]{1,4}号)[ \t\x{3000}]*$',
                1
            ), ''),
            regexp_extract(
                head,
                '(?:字[ \t\x{3000}]*号|文[ \t\x{3000}]*号)[】\]]?[ \t\x{3000}]*[:：]?[ \t\x{3000}]*([\x{4e00}-\x{9fff}]{1,10}[〔\[［(（【][12][0-9]{3}[〕\]］)）】][0-9]{1,4}号)',
                1
            )
        ), '\s', '', 'g'), '') as document_number,
        case
            when regexp_matches(title_or_first_line, '规划|纲要|计划|方案') then 'plan'
            when regexp_matches(title_or_first_line, '报告|公报') then 'report'
            when regexp_matches(title_or_first_line, '意见|办法|措施|政策|条例|规定|决定|细则|指引') then 'policy'
            when regexp_matches(title_or_first_line, '通知|通告|公告|批复') then 'notice'
            else 'news'
        end as document_kind
    from parsed

)

select
    numbered.document_id,
    numbered.document_number,
    numbered.document_kind,
    case
        when numbered.document_kind = 'news' then text_issuers.issuer
        else coalesce(text_issuers.issuer, numbered.publisher)
    end as issuing_body,
    regions.region_code
from numbered
left join text_issuers on numbered.document_id = text_issuers.document_id
left join {{ ref('int_region_texts__resolved') }} as regions
    on numbered.region = regions.region_text
