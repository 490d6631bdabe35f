"""``python -m kizuki.cli`` runs the kizuki command line."""

from kizuki.cli.main import app

app()
