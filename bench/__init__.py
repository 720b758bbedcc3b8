"""Benchmarks with recorded results (``python -m bench <name>``; results in bench/results.md)."""
