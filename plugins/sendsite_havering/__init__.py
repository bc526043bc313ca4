"""havering area format (being written)."""
