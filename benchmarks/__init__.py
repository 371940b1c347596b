"""Benchmarks for ``make bench``: figures printed beside floors measured in the same run."""
