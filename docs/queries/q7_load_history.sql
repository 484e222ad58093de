-- Q7. Which documents were loaded when, from where, and what was rejected why?
-- Every input each run read, newest run first (files a run found unchanged are
-- not read again; raw.loaded_plans counts them).
select
    run_id,
    logged_at,
    outcome,
    regexp_extract(source_uri, '[^/]+$') as source_file,
    source_kind,
    document_title,
    reason
from marts.fct_document_loads
order by run_id desc, outcome, source_file;
