"""marketnotes: weekly market notes from Jupyter templates."""

__version__ = "0.1.0"
