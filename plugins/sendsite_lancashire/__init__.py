"""lancashire area format (being written)."""
