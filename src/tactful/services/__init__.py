"""Use cases: load through ports, call the domain, save; each owns its transaction."""
