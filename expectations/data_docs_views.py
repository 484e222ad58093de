"""GX's Data Docs page views, with their Jinja templates' compiled code cached,
and a site index builder that reads each kept result once.

GX creates its views, and with them a Jinja environment, for every site
build, so every run compiled each page template again: about a quarter of
the time the pages took. These views share Jinja's file cache of compiled
templates (in the temp folder, keyed by each template's source, so a new GX
version's templates are compiled anew). The Data Docs site config
(``expectations.data_docs``) names them; GX imports this module only to
build the site.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import great_expectations
import jinja2
from great_expectations.core.expectation_validation_result import (
    ExpectationSuiteValidationResult,
)
from great_expectations.render.renderer.site_builder import DefaultSiteIndexBuilder
from great_expectations.render.view import (
    DefaultJinjaIndexPageView,
    DefaultJinjaPageView,
)
from great_expectations.util import convert_to_json_serializable

_BYTECODE_CACHE = jinja2.FileSystemBytecodeCache()


class _CachedTemplates:
    """Sets the view's Jinja environment to use the shared bytecode cache."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.env.bytecode_cache = _BYTECODE_CACHE


class CachedPageView(_CachedTemplates, DefaultJinjaPageView):
    pass


class CachedIndexPageView(_CachedTemplates, DefaultJinjaIndexPageView):
    pass


# What the index shows of a result besides its key: its status and asset.
_INDEXED_META = ("batch_kwargs", "batch_spec", "active_batch_definition")


class SummarizedSiteIndexBuilder(DefaultSiteIndexBuilder):
    """GX's site index builder, reading a summary of each kept validation result.

    GX's builder reads every kept result in full on every build (30 runs of a
    dozen suites) to show each one's status and asset. A stored result never
    changes, so what the index needs of it is kept in ``summary_file`` and a
    build reads only the results it has no summary of: the new run's.
    """

    # GX passes a builder the parts of the site its signature names (GX's own, plus summary_file).
    def __init__(
        self,
        name,
        site_name,
        data_context,
        target_store,
        site_section_builders_config,
        summary_file: str,
        custom_styles_directory=None,
        custom_views_directory=None,
        show_how_to_buttons=True,
        data_context_id=None,
        source_stores=None,
        **kwargs,
    ) -> None:
        super().__init__(
            name=name,
            site_name=site_name,
            data_context=data_context,
            target_store=target_store,
            site_section_builders_config=site_section_builders_config,
            custom_styles_directory=custom_styles_directory,
            custom_views_directory=custom_views_directory,
            show_how_to_buttons=show_how_to_buttons,
            data_context_id=data_context_id,
            source_stores=source_stores,
            **kwargs,
        )
        self._summary_file = Path(summary_file)

    def _add_validations_to_index_links(self, index_links_dict, validation_and_profiling_result_site_keys) -> None:
        reader = _SummaryReader(self.data_context, _read_summaries(self._summary_file))
        self.data_context = reader
        try:
            super()._add_validations_to_index_links(index_links_dict, validation_and_profiling_result_site_keys)
        finally:
            self.data_context = reader.context
        # Only the summaries of results still kept: a dropped run's go with it.
        kept = {"version": _SUMMARY_VERSION, "results": reader.used}
        _write_atomically(self._summary_file, json.dumps(kept, ensure_ascii=False))


# A temporary file older than this was left by a build that was killed.
_STALE_PARTIAL_SECONDS = 3600


def _write_atomically(path: Path, text: str) -> None:
    """Write ``path`` through a temporary file of its own renamed over it: a
    reader never sees half a file, and builds do not share a temporary name."""
    for stale in path.parent.glob(f"{path.name}.*.partial"):
        with contextlib.suppress(OSError):  # another build may be removing it too
            if time.time() - stale.stat().st_mtime > _STALE_PARTIAL_SECONDS:
                stale.unlink()
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f"{path.name}.", suffix=".partial")
    partial = Path(name)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


class _SummaryReader:
    """The data context, except that a result the index asks for comes from its summary."""

    def __init__(self, context, summaries: dict[str, dict]) -> None:
        self.context = context
        self.summaries = summaries
        self.used: dict[str, dict] = {}

    def __getattr__(self, name: str) -> Any:
        return getattr(self.context, name)

    def get_validation_result(self, expectation_suite_name, run_id=None, batch_identifier=None, **kwargs):
        key = json.dumps([expectation_suite_name, run_id.run_name, str(run_id.run_time), str(batch_identifier)])
        summary = self.summaries.get(key)
        if isinstance(summary, dict) and isinstance(summary.get("success"), bool) and "meta" in summary:
            self.used[key] = summary
            return ExpectationSuiteValidationResult(
                success=summary["success"], results=[], suite_name=expectation_suite_name, meta=summary["meta"]
            )
        result = self.context.get_validation_result(
            expectation_suite_name, run_id=run_id, batch_identifier=batch_identifier, **kwargs
        )
        if isinstance(result, ExpectationSuiteValidationResult):  # else not found: GX skips it with a warning
            meta = {name: result.meta[name] for name in _INDEXED_META if name in result.meta}
            self.used[key] = {"success": result.success, "meta": convert_to_json_serializable(meta)}
        return result


# Summaries made by another GX version, or of other meta, are read again.
_SUMMARY_VERSION = [great_expectations.__version__, *_INDEXED_META]


def _read_summaries(path: Path) -> dict[str, dict]:
    """The kept summaries; none (every result read again) if the file is missing,
    unreadable or of another version."""
    try:
        kept = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(kept, dict) or kept.get("version") != _SUMMARY_VERSION:
        return {}
    results = kept.get("results")
    return results if isinstance(results, dict) else {}
