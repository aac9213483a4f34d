"""Modules a county or city office switches on per tenant (documents, petitions, ...)."""
