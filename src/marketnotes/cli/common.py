"""What every command shares: the Typer apps, the two consoles and the common options."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Weekly market notes from Jupyter templates.")
data_app = typer.Typer(no_args_is_help=True, help="Inspect and cache price data.")
params_app = typer.Typer(no_args_is_help=True, help="Validate parameter sets.")
templates_app = typer.Typer(no_args_is_help=True, help="Start and lint notebook templates.")
app.add_typer(data_app, name="data")
app.add_typer(params_app, name="params")
app.add_typer(templates_app, name="templates")

out = Console()
err = Console(stderr=True)

AsOf = Annotated[str | None, typer.Option("--as-of", help="YYYY-MM-DD, 'latest' or 'last-friday'")]
Sets = Annotated[list[str] | None, typer.Option("--set", help="override a params field: key=value")]
Offline = Annotated[bool, typer.Option("--offline", help="serve live sources from the local cache only")]
