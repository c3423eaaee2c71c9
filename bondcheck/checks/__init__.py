"""Checks as a uniform registry of stable IDs (see registry.py)."""
