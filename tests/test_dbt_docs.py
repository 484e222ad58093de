"""`dbt docs generate` on a real build, and the project's documentation and naming rules.

The docs are generated from a build of the raw fixtures (tests/raw_fixtures.py);
the catalog must hold every mart with the columns its contract declares. The
manifest is then checked dbt-project-evaluator style: every model and every
mart column described, models named after their layer and folder, marts
contracts enforced, and the dashboard exposure depending on marts only.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from raw_fixtures import make_build_db

from ingest.transform import generate_dbt_docs, run_dbt_build

MARTS = {
    "dim_documents", "dim_regions", "dim_indicators", "dim_organizations", "dim_dates",
    "fct_targets", "fct_indicator_values", "fct_events", "fct_event_mentions", "fct_event_measures",
    "fct_document_organizations", "fct_document_loads",
    "target_progress", "target_revisions", "event_timeline",
}  # fmt: skip


@pytest.fixture(scope="module")
def docs(tmp_path_factory) -> tuple[dict, dict, Path]:
    tmp = tmp_path_factory.mktemp("docs")
    db = make_build_db(tmp / "build.duckdb")
    run_dbt_build(db, target_path=tmp / "target", log_path=tmp / "logs")
    out = generate_dbt_docs(db, tmp / "dbt-docs", log_path=tmp / "logs", build_target_path=tmp / "target")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    catalog = json.loads((out / "catalog.json").read_text(encoding="utf-8"))
    return manifest, catalog, out


def models(manifest: dict) -> list[dict]:
    return [n for n in manifest["nodes"].values() if n["resource_type"] == "model"]


def test_docs_generate_writes_a_catalog_with_every_mart(docs):
    manifest, catalog, out = docs
    assert (out / "index.html").is_file() and (out / "static_index.html").is_file()
    assert not catalog.get("errors")
    in_catalog = {
        node["metadata"]["name"]: node for node in catalog["nodes"].values() if node["metadata"]["schema"] == "marts"
    }
    assert set(in_catalog) == MARTS
    for model in models(manifest):
        if model["name"] in MARTS:
            declared = set(model["columns"])
            assert set(in_catalog[model["name"]]["columns"]) == declared, model["name"]
    seeds = {n["metadata"]["name"] for n in catalog["nodes"].values() if n["metadata"]["schema"] == "seeds"}
    assert seeds == {"regions", "indicators", "indicator_synonyms", "units"}
    assert "region_code" in catalog["nodes"]["seed.policy_warehouse.regions"]["columns"]


def test_every_model_and_mart_column_is_described(docs):
    manifest, _, _ = docs
    for model in models(manifest):
        assert model["description"].strip(), model["name"]
        if model["name"] in MARTS:
            assert model["config"]["contract"]["enforced"], model["name"]
            for column in model["columns"].values():
                assert column["description"].strip(), (model["name"], column["name"])
                assert column.get("data_type"), (model["name"], column["name"])
    for source in manifest["sources"].values():
        assert source["description"].strip(), source["name"]
    for seed in (n for n in manifest["nodes"].values() if n["resource_type"] == "seed"):
        assert seed["description"].strip() and all(c["description"] for c in seed["columns"].values())


def test_models_follow_the_style_guide(docs):
    manifest, _, _ = docs
    nodes = manifest["nodes"]
    for model in models(manifest):
        folder = Path(model["original_file_path"]).parts[1]
        name = model["name"]
        parents = [nodes[p] for p in model["depends_on"]["nodes"] if p in nodes]
        if folder == "staging":
            assert name.startswith(("stg_raw__", "stg_seeds__")) and model["schema"] == "staging", name
            # staging reads sources and seeds only
            assert all(p["resource_type"] == "seed" for p in parents), name
        elif folder == "intermediate":
            assert name.startswith("int_") and model["schema"] == "intermediate", name
            assert all(p["resource_type"] == "model" and p["schema"] != "marts" for p in parents), name
        else:
            assert folder == "marts" and model["schema"] == "marts", name
            assert name in MARTS, name
            # marts never read raw sources or seeds directly
            assert not model["depends_on"]["nodes"] or all(
                not p.startswith(("source.", "seed.")) for p in model["depends_on"]["nodes"]
            ), name
    [exposure] = manifest["exposures"].values()
    assert exposure["type"] == "dashboard"
    assert all(nodes[p]["name"] in MARTS for p in exposure["depends_on"]["nodes"])
