"""Transports: one interface (base.py), one module per way of reaching a node."""
