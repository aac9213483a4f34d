"""The deadline engine (期限与催办): time limits on plugin objects, chases and the overdue record."""
