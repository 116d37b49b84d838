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
