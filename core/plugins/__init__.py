"""The plugin system (pluggy): hook specifications, discovery, manifests and per-tenant state."""
