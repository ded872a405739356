"""Helpers shared by more than one test module (and the benchmarks); no test module imports another."""
