"""Benchmarks: `python -m benchmarks.run` (see BENCHMARKS.md). Not part of the modelroute package."""
