"""Benchmarks and the plan generator they share. Not part of the application, never run by the test suite."""
