"""Who is calling: principals, permission guards and row-level filters."""
