"""Groundwork's tests: a package, so test modules are `tests.test_x` and shared helpers `tests.support.x`."""
