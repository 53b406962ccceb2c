"""Reproducible measurements: `python -m benchmarks [--quick] [--json PATH]`."""
