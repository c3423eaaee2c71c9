"""bondcheck: prove bonded NICs match their nmstate policy and survive a link pull."""

__version__ = "0.1.0"
