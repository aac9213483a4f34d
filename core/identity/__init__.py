"""Identity (身份认证): passwords, lockout, sessions, citizen accounts and external identity providers."""
