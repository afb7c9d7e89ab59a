"""Margin's user interfaces: the click command line and the Textual app.

Importing this package (or tui.cli) must not import Textual: only the commands that open
the full-screen app do, inside the command.
"""
