"""suffolk area format (being written)."""
