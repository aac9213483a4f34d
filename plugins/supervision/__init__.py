"""Supervision plugin (督查督办)."""
