"""The persistence core: files, the log, operations, undo and redo, checkpoints, backups.

It knows entities only as store.model records in their tables and imports no domain
collection (tests/test_layers.py); `store.core.store.Store` is its one class, split over
the modules beside it.
"""
