"""The ``advisor`` command line: index, search, import, recommend and more.

Each command parses its options, calls one function of the layer that owns the work and
prints the result. Logging is configured here and nowhere below.
"""

from __future__ import annotations

import logging

import typer

from advisor.config import get_settings

app = typer.Typer(
    help="Plan and explain pathways of stackable credentials toward a learner's goal.",
    no_args_is_help=True,
    add_completion=False,
)


@app.callback()
def configure(verbose: bool = typer.Option(False, "--verbose", "-v", help="Log at DEBUG level.")) -> None:
    """Configure logging once for every command."""
    level = logging.DEBUG if verbose else getattr(logging, get_settings().log_level.upper(), logging.INFO)
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


# Commands are added below, one block per layer.


def main() -> None:
    """Run the command line."""
    app()


if __name__ == "__main__":
    main()
