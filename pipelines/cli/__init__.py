"""`gridpulse`, the data staff's command line."""

from pipelines.cli.commands import main

__all__ = ["main"]
