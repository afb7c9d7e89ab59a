"""Exports to files other programs read: the coded-segment table, the codebook, memos."""
