"""``bondcheck agent``: judge one node from the inside, on a schedule, and serve the verdicts as
Prometheus metrics (sources.py: policies and evidence; serve.py: the loop and the HTTP server).
"""
