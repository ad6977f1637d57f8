"""`kinerja` commands (clean): registered on the app when imported."""
from kinerja_research.cli import app, data_app  # noqa: F401
