"""Benchmarks behind `matchmaker bench …`: outside the installed package, run from a source checkout."""
