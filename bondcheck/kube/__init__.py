"""Kubernetes I/O: the API client (api.py), its errors (errors.py) and the reading of
NNCPs, nodes, NNCEs and NNSes (cluster.py). Nothing outside this package and the transports
imports the ``kubernetes`` package."""
