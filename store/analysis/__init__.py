"""What the coding says: frequencies, co-occurrence, matrices, rounds and queries.

Pure functions over a project's state (no Textual). Every analysis takes a `Scope`, the
researcher's filters, from store/analysis/scope.py.
"""
