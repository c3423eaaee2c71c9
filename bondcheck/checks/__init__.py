"""Checks: one function per check in topic modules, listed in a static catalog of stable IDs
(see catalog.py; the machinery is in base.py)."""
