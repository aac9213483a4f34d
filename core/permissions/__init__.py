"""Permissions (权限): Casbin RBAC with domains (domain = tenant), roles, grants and 三员分立."""
