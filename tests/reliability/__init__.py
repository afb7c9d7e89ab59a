"""Reliability: crashes, faults, hostile input and leaks (issue 5)."""
