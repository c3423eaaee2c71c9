"""Pure parsers: kernel and iproute2 text in, model objects out. No I/O here."""
