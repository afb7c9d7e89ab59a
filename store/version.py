"""Margin's version, for what it writes into files (a .qdpx's origin).

Kept here rather than read from the installation's metadata: importing importlib.metadata
(email, csv, socket) cost `margin export qdpx` about a third of its start-up. It must
equal pyproject.toml's version; tests/test_version.py checks both that and the installed
metadata."""

VERSION = "0.1.0"
