"""Benchmarks, run as modules from the project root: `.venv/bin/python -m bench.pdf` (see README)."""
