"""GX's Data Docs page views, with their Jinja templates' compiled code cached.

GX creates its views, and with them a Jinja environment, for every site
build, so every run compiled each page template again: about a quarter of
the time the pages took. These views share Jinja's file cache of compiled
templates (in the temp folder, keyed by each template's source, so a new GX
version's templates are compiled anew). The Data Docs site config
(``expectations.data_docs``) names them; GX imports this module only to
build the site.
"""

from __future__ import annotations

import jinja2
from great_expectations.render.view import (
    DefaultJinjaIndexPageView,
    DefaultJinjaPageView,
)

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
