"""essex area format (being written)."""
