"""Documents plugin (公文)."""
