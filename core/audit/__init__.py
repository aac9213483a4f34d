"""Audit log (审计): append-only, hash-chained records of every state change and every read of
classified content. Write with :func:`core.audit.service.record` / :func:`record_read` inside the
caller's transaction; check with :func:`core.audit.chain.verify_chain` or ``fuban audit verify``."""
