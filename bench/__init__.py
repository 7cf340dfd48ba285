"""Benchmarks: each plays a load against the real services and prints one summary line last."""
