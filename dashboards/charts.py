"""Plotly figures with Chinese labels; months are categories, rates are percentages."""

from __future__ import annotations

import pandas as pd
import plotly.express as px

from dashboards.i18n import t


def _months(fig):
    fig.update_xaxes(type="category", title=t("month"))
    fig.update_layout(legend_title_text="", margin={"t": 30})
    return fig


def bars(frame: pd.DataFrame, x: str, ys: list[str]):
    long = frame.melt(id_vars=[x], value_vars=ys, var_name="指标", value_name="数值")
    long["指标"] = long["指标"].map(t)
    return _months(px.bar(long, x=x, y="数值", color="指标", barmode="group"))


def rate_line(frame: pd.DataFrame, x: str, y: str):
    fig = px.line(frame, x=x, y=y, markers=True, labels={y: t(y)})
    fig.update_yaxes(tickformat=".0%", rangemode="tozero")
    return _months(fig)


def hbar(frame: pd.DataFrame, label: str, value: str, title: str | None = None):
    """Horizontal bars, largest on top (categories, channels)."""
    fig = px.bar(frame.sort_values(value), x=value, y=label, orientation="h",
                 labels={value: t("case_count") if value == "cases" else t(value), label: ""}, title=title)
    fig.update_layout(margin={"t": 40 if title else 10, "l": 10}, height=max(220, 28 * len(frame) + 80))
    return fig


def lines(frame: pd.DataFrame, x: str, ys: list[str]):
    long = frame.melt(id_vars=[x], value_vars=ys, var_name="指标", value_name="数值")
    long["指标"] = long["指标"].map(t)
    return _months(px.line(long, x=x, y="数值", color="指标", markers=True))


def grid_map(frame: pd.DataFrame, value: str, rate: bool, names: bool = False):
    """Grids drawn as polygons (boundary WKT, lon/lat) and coloured by `value`; no map tiles needed.
    Hovering a grid shows its name, community and value; `names` also prints the names on the polygons
    (only for a few grids: a street's grids would overlap into an unreadable block)."""
    import plotly.graph_objects as go

    fig = go.Figure()
    values = frame[value].astype(float)
    low, high = (values.min(), values.max()) if values.notna().any() else (0.0, 1.0)
    span = (high - low) or 1.0
    scale = px.colors.sequential.Blues
    for row, v in zip(frame.itertuples(index=False), values):  # one shape per grid (≈ 150), not per data row
        ring = _ring(row.boundary_wkt)
        if not ring:
            continue
        xs, ys = zip(*ring)
        shade = "#dddddd" if pd.isna(v) else px.colors.sample_colorscale(scale, [0.15 + 0.85 * (v - low) / span])[0]
        shown = t("no_data") if pd.isna(v) else (f"{v:.1%}" if rate else f"{v:,.0f}")
        fig.add_trace(go.Scatter(x=xs, y=ys, fill="toself", fillcolor=shade, mode="lines",
                                 line={"color": "#555", "width": 1}, hoveron="fills", showlegend=False,
                                 name=row.grid_name, text=f"{row.grid_name}（{row.community_name}）<br>{t(value)}：{shown}",
                                 hoverinfo="text"))
    centres = [(sum(x for x, _ in r[:-1]) / (len(r) - 1), sum(y for _, y in r[:-1]) / (len(r) - 1), name)
               for r, name in ((_ring(w), n) for w, n in zip(frame.boundary_wkt, frame.grid_name)) if len(r) > 1]
    if names and centres:
        xs, ys, grid_names = zip(*centres)
        fig.add_trace(go.Scatter(x=xs, y=ys, text=grid_names, mode="text", showlegend=False, hoverinfo="skip",
                                 textfont={"size": 10, "color": "#222"}))
    # an invisible trace carries the colour bar
    fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", showlegend=False, hoverinfo="skip",
                             marker={"colorscale": scale, "cmin": low, "cmax": high, "color": [low],
                                     "colorbar": {"title": t(value), "tickformat": ".0%" if rate else ",d"}}))
    fig.update_yaxes(scaleanchor="x", scaleratio=1 / 0.87, showgrid=False, title="纬度")
    fig.update_xaxes(showgrid=False, title="经度")
    fig.update_layout(height=650, margin={"t": 10}, plot_bgcolor="white")
    return fig


def _ring(wkt: str | None) -> list[tuple[float, float]]:
    """The outer ring of a WKT POLYGON as (lon, lat) pairs; anything else gives an empty list."""
    if not wkt or not wkt.upper().startswith("POLYGON"):
        return []
    inner = wkt[wkt.index("(") :].strip("() ")
    first = inner.split("),")[0].strip("( ")
    try:
        return [tuple(map(float, point.split()[:2])) for point in first.split(",")]
    except ValueError:
        return []


def worker_lines(frame: pd.DataFrame):
    fig = px.line(frame, x="month", y="score", color="worker_name", markers=True,
                  labels={"score": t("score"), "worker_name": t("worker_name")})
    return _months(fig)


def warning_series(series: str | None, expected: float | None, upper_limit: float | None):
    """A warning's evidence: its series (oldest first; the last point is the one that warned) as bars, with
    the expected level and the upper control limit as lines. None when the warning carries no series."""
    values = [float(v) for v in series.split(",") if v.strip()] if isinstance(series, str) else []
    if not values:
        return None
    import plotly.graph_objects as go

    xs = list(range(1 - len(values), 1))  # 0 is the day (or week) that warned
    fig = go.Figure(go.Bar(x=xs, y=values, name=t("warnings_observed"), showlegend=False,
                           marker_color=["#9db7d5"] * (len(values) - 1) + ["#c0392b"]))
    for value, key, dash in ((expected, "warnings_expected", "dot"), (upper_limit, "warnings_upper", "dash")):
        if value is not None and not pd.isna(value):
            fig.add_hline(y=float(value), line_dash=dash, line_color="#555" if dash == "dot" else "#c0392b",
                          annotation_text=t(key), annotation_position="top left")
    fig.update_xaxes(showticklabels=False, title=None)
    fig.update_yaxes(title=None, rangemode="tozero")
    fig.update_layout(height=170, margin={"t": 10, "b": 10, "l": 10, "r": 10})
    return fig
