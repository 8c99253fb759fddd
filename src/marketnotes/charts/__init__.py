"""Charts from facts and prices, in one explicit house style (house.py).

Every title states the chart's point with numbers taken from the facts table. `forms` draws a
chart's two forms (column width, phone width) from one figure, `house` holds
the style and layout every chart shares (and `line`, for a template's own series), `markers`
what marks the time axis (events, the arc's phases), `weekly` the weekly note's charts.
"""

from marketnotes.charts.forms import PHONE, SIZE, Chart, for_screens
from marketnotes.charts.house import HOUSE_STYLE, line
from marketnotes.charts.weekly import drawdown, performance, ratio, window_returns

__all__ = ["HOUSE_STYLE", "PHONE", "SIZE", "Chart", "for_screens", "drawdown", "line", "performance", "ratio", "window_returns"]
