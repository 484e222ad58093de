"""A static, self-contained HTML dashboard of the published warehouse.

``build_dashboard(published_db, out_html)`` opens the published DuckDB file
read-only and writes one HTML file with everything inline (CSS, SVG charts
drawn here, a few lines of JavaScript for sorting tables): no CDN, no server,
so it opens from disk on a machine without network. It shows

* targets by deadline year, by region and by theme;
* target progress (achieved / on track / behind / unknown, % of target);
* the event timeline (one dot per event, mentions and amounts in the list);
* load health: the last load, outcomes, rejects and their reasons, and the
  Great Expectations checks of the last validation run (audit.validation_results).

The pipeline regenerates it on every publish, beside the published file.
"""

from __future__ import annotations

import datetime as dt
import html
import math
import os
from dataclasses import dataclass
from pathlib import Path

import duckdb

from ingest import storage

STATUS_COLOURS = {"achieved": "#1a7f37", "on_track": "#2f81f7", "behind": "#cf222e", "unknown": "#8c959f"}
STATUS_ORDER = ("achieved", "on_track", "behind", "unknown")
EVENT_COLOURS = {
    "signing": "#bf3989", "conference": "#8250df", "meeting": "#0969da", "visit": "#1f883d",
    "policy_release": "#bc4c00", "policy_effective": "#9a6700", "launch": "#0a7d8c",
    "selection": "#6e7781", "fund_launch": "#cf222e", "other": "#57606a",
}  # fmt: skip
BAR_COLOUR = "#2f81f7"
# Row lists stop here (totals are counted in SQL): the page must stay small and
# quick to build at any warehouse size.
MAX_LISTED_ROWS = 500


def _e(value) -> str:
    return html.escape("" if value is None else str(value))


def _num(value) -> str:
    """360.0 -> 360, 2986.41 -> 2986.41, None/NaN -> '–'."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".").replace(",", "")
    return str(value)


@dataclass
class _Data:
    con: duckdb.DuckDBPyConnection

    def has(self, schema: str, table: str) -> bool:
        return bool(
            self.con.execute(
                "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
                [schema, table],
            ).fetchone()[0]
        )

    def rows(self, sql: str, params: list | None = None) -> list[dict]:
        cur = self.con.execute(sql, params or [])
        columns = [d[0] for d in cur.description]
        return [dict(zip(columns, row)) for row in cur.fetchall()]

    def scalar(self, sql: str, params: list | None = None):
        return self.con.execute(sql, params or []).fetchone()[0]


def _bar_chart(title: str, items: list[tuple[str, int]], chart_id: str, width: int = 420) -> str:
    """Horizontal bars, one per (label, count), drawn as inline SVG."""
    if not items:
        return f'<figure class="chart" id="{chart_id}"><figcaption>{_e(title)}</figcaption><p class="empty">No data.</p></figure>'
    bar_h, gap, label_w = 22, 6, 130
    height = len(items) * (bar_h + gap) + gap
    top = max(n for _, n in items) or 1
    bars = []
    for i, (label, n) in enumerate(items):
        y = gap + i * (bar_h + gap)
        w = max(2, (width - label_w - 50) * n / top)
        bars.append(
            f'<g class="bar" data-label="{_e(label)}" data-count="{n}">'
            f'<text x="{label_w - 8}" y="{y + bar_h * 0.7:.1f}" text-anchor="end">{_e(label)}</text>'
            f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h}" rx="3" fill="{BAR_COLOUR}"/>'
            f'<text x="{label_w + w + 6:.1f}" y="{y + bar_h * 0.7:.1f}" class="count">{n}</text></g>'
        )
    return (
        f'<figure class="chart" id="{chart_id}"><figcaption>{_e(title)}</figcaption>'
        f'<svg viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'aria-label="{_e(title)}">{"".join(bars)}</svg></figure>'
    )


def _timeline(events: list[dict], width: int = 1240) -> str:
    """Events as dots on a time axis, one lane per event type."""
    dated = [e for e in events if e["event_date"] is not None]
    if not dated:
        return '<p class="empty">No events.</p>'
    types = sorted({e["event_type"] for e in dated})
    lane_h, left, right, top = 26, 130, 20, 10
    start = min(e["event_date"] for e in dated).replace(month=1, day=1)
    end = max(e["event_date"] for e in dated).replace(month=12, day=31)
    span = max(1, (end - start).days)
    height = top + lane_h * len(types) + 30

    def x(day: dt.date) -> float:
        return left + (width - left - right) * (day - start).days / span

    parts = []
    for i, kind in enumerate(types):
        y = top + i * lane_h + lane_h / 2
        parts.append(
            f'<text x="{left - 8}" y="{y + 4:.1f}" text-anchor="end">{_e(kind)}</text>'
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" class="lane"/>'
        )
    axis_y = top + lane_h * len(types) + 6
    step = max(1, (end.year - start.year + 1) // 12)
    for year in range(start.year, end.year + 1, step):
        xx = x(dt.date(year, 1, 1))
        parts.append(
            f'<line x1="{xx:.1f}" x2="{xx:.1f}" y1="{top}" y2="{axis_y}" class="tick"/>'
            f'<text x="{xx + 3:.1f}" y="{axis_y + 14}">{year}</text>'
        )
    for e in dated:
        y = top + types.index(e["event_type"]) * lane_h + lane_h / 2
        r = 5 + min(5, 2 * (e["mention_count"] - 1))
        tip = f'{e["event_date"]} {e["name"]} ({e["mention_count"]} mention(s))'
        parts.append(
            f'<circle cx="{x(e["event_date"]):.1f}" cy="{y:.1f}" r="{r}" '
            f'fill="{EVENT_COLOURS.get(e["event_type"], "#57606a")}" fill-opacity="0.8" '
            f'data-event-id="{_e(e["event_id"])}"><title>{_e(tip)}</title></circle>'
        )
    return (
        f'<svg id="timeline-chart" viewBox="0 0 {width} {height}" width="100%" height="{height}" '
        f'role="img" aria-label="Event timeline">{"".join(parts)}</svg>'
    )


def _table(table_id: str, headers: list[str], rows: list[list[str]], numeric: set[int] = frozenset()) -> str:
    if not rows:
        return f'<p class="empty" id="{table_id}">None.</p>'
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(
            f'<td class="num">{cell}</td>' if i in numeric else f"<td>{cell}</td>" for i, cell in enumerate(row)
        ) + "</tr>"
        for row in rows
    )  # fmt: skip
    return f'<table class="sortable" id="{table_id}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _progress_bar(pct, status: str) -> str:
    if pct is None or (isinstance(pct, float) and math.isnan(pct)):
        return '<span class="muted">–</span>'
    width = max(0.0, min(100.0, float(pct)))
    return (
        f'<div class="progress" title="{_num(pct)}% of target"><div style="width:{width:.0f}%;'
        f'background:{STATUS_COLOURS.get(status, "#8c959f")}"></div></div>'
        f'<span class="pct">{_num(pct)}%</span>'
    )


def _badge(status: str) -> str:
    return f'<span class="badge" style="background:{STATUS_COLOURS.get(status, "#8c959f")}">{_e(status)}</span>'


def _sections(data: _Data) -> tuple[dict, str]:
    counts = {
        "documents": data.scalar("select count(*) from marts.dim_documents"),
        "targets": data.scalar("select count(*) from marts.fct_targets"),
        "events": data.scalar("select count(*) from marts.fct_events"),
        "event_mentions": data.scalar("select count(*) from marts.fct_event_mentions")
        if data.has("marts", "fct_event_mentions") else 0,
        "indicator_values": data.scalar("select count(*) from marts.fct_indicator_values"),
    }  # fmt: skip
    out = []

    # Targets by deadline year, region and theme.
    by_year = data.rows(
        "select coalesce(cast(target_year as varchar), 'no year') as label, count(*) as n "
        "from marts.fct_targets group by all order by label"
    )
    by_region = data.rows(
        "select coalesce(r.region_name, t.region, 'unknown') as label, count(*) as n "
        "from marts.fct_targets t left join marts.dim_regions r on r.region_code = t.region_code "
        "group by all order by n desc, label limit 15"
    )
    by_theme = data.rows(
        "select coalesce(i.theme, 'other') as label, count(*) as n "
        "from marts.fct_targets t left join marts.dim_indicators i on i.indicator_id = t.indicator_id "
        "group by all order by n desc, label"
    )
    out.append(
        '<section id="targets"><h2>Targets</h2><div class="charts">'
        + _bar_chart("By deadline year", [(r["label"], r["n"]) for r in by_year], "targets-by-year")
        + _bar_chart("By region", [(r["label"], r["n"]) for r in by_region], "targets-by-region")
        + _bar_chart("By theme", [(r["label"], r["n"]) for r in by_theme], "targets-by-theme")
        + "</div></section>"
    )

    # Target progress.
    progress = data.rows(
        "select * from marts.target_progress order by "
        "case status when 'achieved' then 0 when 'on_track' then 1 when 'behind' then 2 else 3 end, "
        f"region_name, indicator_name, target_year, target_value limit {MAX_LISTED_ROWS}"
    ) if data.has("marts", "target_progress") else []  # fmt: skip
    counted = dict(
        data.con.execute("select status, count(*) from marts.target_progress group by status").fetchall()
    ) if data.has("marts", "target_progress") else {}  # fmt: skip
    status_counts = {s: counted.get(s, 0) for s in STATUS_ORDER}
    pills = "".join(
        f'<div class="status" data-status="{s}">{_badge(s)}<span class="value">{status_counts[s]}</span></div>'
        for s in STATUS_ORDER
    )
    rows = [
        [
            _e(r["region_name"] or ""), _e(r["indicator_name"]), _e(r["target_year"]),
            f'{_e(r["comparator"])} {_num(r["target_value"])} {_e(r["target_unit"])}',
            "" if r["latest_value"] is None else f'{_num(r["latest_value"])} {_e(r["latest_unit"])} ({_e(r["latest_period"])})',
            _progress_bar(r["pct_of_target"], r["status"]), _badge(r["status"]), _e(r["document_title"] or ""),
        ]
        for r in progress
    ]  # fmt: skip
    revisions = data.rows(
        "select region_name, indicator_name, target_year, revision_number, set_on, value, unit, change, change_pct "
        "from marts.target_revisions order by region_name, indicator_name, target_year, revision_number "
        f"limit {MAX_LISTED_ROWS}"
    ) if data.has("marts", "target_revisions") else []  # fmt: skip
    revision_rows = [
        [_e(r["region_name"]), _e(r["indicator_name"]), _e(r["target_year"]), _e(r["revision_number"]),
         _e(r["set_on"]), f'{_num(r["value"])} {_e(r["unit"])}', _e(r["change"]),
         "" if r["change_pct"] is None else f'{_num(r["change_pct"])}%']
        for r in revisions
    ]  # fmt: skip
    out.append(
        f'<section id="progress"><h2>Target progress</h2><div class="statuses">{pills}</div>'
        + _table("progress-table", ["Region", "Indicator", "Year", "Target", "Latest reported", "% of target",
                                    "Status", "Set by document"], rows)
        + "<h3>Revised targets</h3>"
        + _table("revisions-table", ["Region", "Indicator", "Year", "#", "Set on", "Value", "Change", "Δ"],
                 revision_rows, {3})
        + "</section>"
    )  # fmt: skip

    # Event timeline.
    events = data.rows(
        "select event_id, event_date, date_precision, event_type, name, region_name, amount_yi_yuan, "
        "mention_count, document_titles from marts.event_timeline order by event_date desc nulls last, name "
        f"limit {MAX_LISTED_ROWS}"
    ) if data.has("marts", "event_timeline") else []  # fmt: skip
    event_rows = [
        [_e(r["event_date"]), _e(r["date_precision"]), _e(r["event_type"]), _e(r["name"]), _e(r["region_name"] or ""),
         "" if r["amount_yi_yuan"] is None else f'{_num(r["amount_yi_yuan"])} 亿元', _e(r["mention_count"]),
         _e(r["document_titles"])]
        for r in events
    ]  # fmt: skip
    legend = "".join(
        f'<span class="legend"><i style="background:{EVENT_COLOURS.get(t, "#57606a")}"></i>{_e(t)}</span>'
        for t in sorted({e["event_type"] for e in events})
    )
    out.append(
        f'<section id="events"><h2>Event timeline</h2><div class="legends">{legend}</div>{_timeline(events)}'
        + _table("events-table", ["Date", "Precision", "Type", "Event", "Region", "Amount", "Mentions", "Reported in"],
                 event_rows, {6})
        + "</section>"
    )  # fmt: skip

    # Load health.
    # A run's unchanged files are counted in its plan (raw.loaded_plans), not logged one by one.
    loads = data.rows(
        "select run_id, coalesce(l.started, p.loaded_at) as started, "
        "coalesce(l.inputs, 0) + coalesce(p.unchanged_files, 0) as inputs, "
        "coalesce(l.loaded, 0) as loaded, coalesce(l.duplicate, 0) as duplicate, "
        "coalesce(l.rejected, 0) as rejected, coalesce(p.unchanged_files, 0) as unchanged "
        "from ("
        # one row per run: a cleared DAG run loads a second plan under the same run_id,
        # whose count of unchanged files is the one that holds (the first plan's files are in it)
        "  select run_id, min(loaded_at) as loaded_at, arg_max(unchanged_files, loaded_at) as unchanged_files "
        "  from raw.loaded_plans group by run_id"
        ") p full join ("
        "  select run_id, min(logged_at) as started, count(*) as inputs, "
        "  count(*) filter (where outcome = 'loaded') as loaded, "
        "  count(*) filter (where outcome = 'duplicate') as duplicate, "
        "  count(*) filter (where outcome = 'rejected') as rejected "
        "  from raw.ingest_log group by run_id"
        ") l using (run_id) order by started desc limit 10"
    )
    rejects = data.rows(
        "select logged_at, source_uri, reason from raw.ingest_log where outcome = 'rejected' "
        "order by logged_at desc limit 50"
    )
    checks, failed = [], []
    if data.has("audit", "validation_results"):
        last = data.scalar("select max(run_id) from audit.validation_results")
        checks = data.rows(
            "select severity, count(*) as checks, count(*) filter (where success) as passed "
            "from audit.validation_results where run_id = ? group by severity order by severity",
            [last],
        )
        failed = data.rows(
            "select severity, table_name, expectation, column_name, unexpected_count "
            "from audit.validation_results where run_id = ? and not success order by severity, table_name",
            [last],
        )
        validated_at = data.scalar("select max(validated_at) from audit.validation_results")
    else:
        validated_at = None
    # A run that found every file unchanged logs nothing; its plan still records when it loaded.
    last_load = data.scalar(
        "select greatest((select max(logged_at) from raw.ingest_log), (select max(loaded_at) from raw.loaded_plans))"
    )
    total_checks = sum(c["checks"] for c in checks)
    passed_checks = sum(c["passed"] for c in checks)
    health = (
        f'<div class="kpis"><div class="kpi" data-kpi="last-load"><span class="value small">{_e(last_load)}</span>'
        f'<span class="label">last load</span></div>'
        f'<div class="kpi" data-kpi="rejected"><span class="value">{len(rejects)}</span><span class="label">rejected inputs</span></div>'
        f'<div class="kpi" data-kpi="checks"><span class="value">{passed_checks}/{total_checks}</span>'
        f'<span class="label">checks passed (last validation {_e(validated_at)})</span></div></div>'
    )
    out.append(
        f'<section id="health"><h2>Load health</h2>{health}<h3>Runs</h3>'
        + _table("runs-table", ["Run", "Started", "Inputs", "Loaded", "Duplicate", "Rejected", "Unchanged"],
                 [[_e(r["run_id"]), _e(r["started"]), _e(r["inputs"]), _e(r["loaded"]), _e(r["duplicate"]),
                   _e(r["rejected"]), _e(r["unchanged"])] for r in loads], {2, 3, 4, 5, 6})
        + "<h3>Rejected inputs</h3>"
        + _table("rejects-table", ["When", "Source", "Reason"],
                 [[_e(r["logged_at"]), _e(r["source_uri"]), _e(r["reason"])] for r in rejects])
        + "<h3>Failed checks (last validation)</h3>"
        + _table("failed-checks-table", ["Severity", "Table", "Expectation", "Column", "Unexpected"],
                 [[_e(r["severity"]), _e(r["table_name"]), _e(r["expectation"]), _e(r["column_name"]),
                   _e(r["unexpected_count"])] for r in failed], {4})
        + "</section>"
    )  # fmt: skip
    counts["checks_passed"], counts["checks"] = passed_checks, total_checks
    return counts, "".join(out)


_CSS = """
:root { font-family: "Noto Sans CJK SC", "Noto Sans SC", "PingFang SC", "Microsoft YaHei", system-ui, sans-serif;
        color: #1f2328; background: #f6f8fa; }
body { margin: 0; padding: 24px 32px; }
header h1 { margin: 0 0 4px; font-size: 24px; }
header p { margin: 0; color: #57606a; }
section { background: #fff; border: 1px solid #d0d7de; border-radius: 8px; padding: 16px 20px; margin: 18px 0; }
h2 { margin: 0 0 12px; font-size: 18px; } h3 { font-size: 15px; margin: 18px 0 8px; }
.kpis, .statuses, .charts, .legends { display: flex; gap: 14px; flex-wrap: wrap; }
.kpi, .status { background: #fff; border: 1px solid #d0d7de; border-radius: 8px; padding: 10px 16px; min-width: 120px; }
.kpi .value, .status .value { display: block; font-size: 26px; font-weight: 600; }
.kpi .value.small { font-size: 15px; } .kpi .label { color: #57606a; font-size: 13px; }
.status { display: flex; align-items: center; gap: 10px; }
.chart { margin: 0; } figcaption { font-weight: 600; margin-bottom: 6px; }
svg text { font-size: 12px; fill: #1f2328; } svg .count { fill: #57606a; }
svg .lane { stroke: #eaeef2; } svg .tick { stroke: #d0d7de; stroke-dasharray: 2 3; }
table { border-collapse: collapse; width: 100%; font-size: 13px; margin-top: 8px; }
th, td { border-bottom: 1px solid #eaeef2; padding: 5px 8px; text-align: left; vertical-align: top; }
th { background: #f6f8fa; cursor: pointer; user-select: none; } td.num { text-align: right; }
.badge { color: #fff; border-radius: 10px; padding: 1px 8px; font-size: 12px; white-space: nowrap; }
.progress { display: inline-block; width: 90px; height: 8px; background: #eaeef2; border-radius: 4px;
            vertical-align: middle; margin-right: 6px; overflow: hidden; }
.progress div { height: 100%; } .pct { font-variant-numeric: tabular-nums; }
.legend { font-size: 12px; color: #57606a; } .legend i { display: inline-block; width: 10px; height: 10px;
          border-radius: 5px; margin-right: 4px; }
.empty, .muted { color: #8c959f; }
"""

_JS = """
document.querySelectorAll('table.sortable').forEach(function (table) {
  table.querySelectorAll('th').forEach(function (th, index) {
    th.addEventListener('click', function () {
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      var asc = th.dataset.order !== 'asc';
      rows.sort(function (a, b) {
        var x = a.cells[index].textContent, y = b.cells[index].textContent;
        var nx = parseFloat(x), ny = parseFloat(y);
        var c = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y, 'zh');
        return asc ? c : -c;
      });
      th.dataset.order = asc ? 'asc' : 'desc';
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
});
document.body.dataset.rendered = 'true';
"""


def render_dashboard(published_db: str | Path, *, generated_at: dt.datetime | None = None) -> str:
    """The dashboard's HTML for a published warehouse (a file or a lake, opened read-only)."""
    published_db = Path(published_db)
    con = storage.connect(published_db, read_only=True)
    try:
        counts, body = _sections(_Data(con))
    finally:
        con.close()
    generated_at = generated_at or dt.datetime.now(dt.UTC).replace(microsecond=0)
    kpis = "".join(
        f'<div class="kpi" data-kpi="{key.replace("_", "-")}"><span class="value">{counts[key]}</span>'
        f'<span class="label">{label}</span></div>'
        for key, label in (
            ("documents", "documents"), ("targets", "targets"), ("events", "events"),
            ("event_mentions", "event mentions"), ("indicator_values", "reported figures"),
        )
    )  # fmt: skip
    return (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Policy warehouse dashboard</title><style>{_CSS}</style></head><body>"
        f"<header><h1>Policy warehouse</h1><p>{_e(published_db.name)} · generated {_e(generated_at.isoformat())} UTC"
        f"</p></header><div class=\"kpis\" id=\"kpis\">{kpis}</div>{body}<script>{_JS}</script></body></html>"
    )


def build_dashboard(published_db: str | Path, out_html: str | Path) -> Path:
    """Write the dashboard of ``published_db`` to ``out_html`` (atomically) and return its path."""
    out_html = Path(out_html)
    out_html.parent.mkdir(parents=True, exist_ok=True)
    page = render_dashboard(published_db)
    partial = out_html.with_name(f".{out_html.name}.{os.getpid()}.tmp")
    partial.write_text(page, encoding="utf-8")
    os.replace(partial, out_html)
    return out_html
