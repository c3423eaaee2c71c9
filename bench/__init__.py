"""bondcheck's benchmarks: run them as scripts (``python bench/fleet.py --json``).

Every benchmark measures real processes on loopback only; see docs/benchmarks.md for the
method, the machine and the results.
"""
