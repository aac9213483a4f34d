"""Tenants: one county or city government office (县/市政府办公室) per tenant."""
