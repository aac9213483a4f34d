"""SQL that makes the audit log append-only; run it in the core migration after creating the tables.

- ``core_audit_guard()`` refuses UPDATE, DELETE and TRUNCATE of ``core_audit_log`` and any change of
  ``core_audit_checkpoints``. The only exception: while ``core_audit_purge`` runs (it sets the
  transaction-local flag ``fuban.audit_purge``) rows older than the 180-day floor may be deleted and a
  checkpoint inserted. Triggers are ``ENABLE ALWAYS`` so ``session_replication_role = replica`` does not
  skip them.
- ``core_audit_purge(purge_before)`` is SECURITY DEFINER: deployments grant the application role only
  SELECT/INSERT on the two tables and EXECUTE on this function (see the module docs of core.audit).
  It takes the append lock, cuts the chain at the last record older than ``before`` and leaves a
  checkpoint (first retained id + the hash it must link to), so :func:`core.audit.chain.verify_chain`
  still verifies the rest.
"""

from __future__ import annotations

from core.audit.service import AUDIT_LOCK_KEY

RETENTION_FLOOR_DAYS = 180

# Only module constants are interpolated below, never input.
AUDIT_IMMUTABLE_SQL: list[str] = [
    f"""
CREATE OR REPLACE FUNCTION core_audit_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('fuban.audit_purge', true) = 'on' THEN
        IF TG_TABLE_NAME = 'core_audit_checkpoints' AND TG_OP = 'INSERT' THEN
            RETURN NEW;
        END IF;
        IF TG_TABLE_NAME = 'core_audit_log' AND TG_OP = 'DELETE' THEN
            IF OLD.at < now() - interval '{RETENTION_FLOOR_DAYS} days' THEN
                RETURN OLD;
            END IF;
        END IF;
    END IF;
    RAISE EXCEPTION 'audit records are append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$
""",
    "DROP TRIGGER IF EXISTS core_audit_log_guard ON core_audit_log",
    "CREATE TRIGGER core_audit_log_guard BEFORE UPDATE OR DELETE ON core_audit_log "
    "FOR EACH ROW EXECUTE FUNCTION core_audit_guard()",
    "DROP TRIGGER IF EXISTS core_audit_log_no_truncate ON core_audit_log",
    "CREATE TRIGGER core_audit_log_no_truncate BEFORE TRUNCATE ON core_audit_log "
    "FOR EACH STATEMENT EXECUTE FUNCTION core_audit_guard()",
    "DROP TRIGGER IF EXISTS core_audit_checkpoints_guard ON core_audit_checkpoints",
    "CREATE TRIGGER core_audit_checkpoints_guard BEFORE INSERT OR UPDATE OR DELETE ON core_audit_checkpoints "
    "FOR EACH ROW EXECUTE FUNCTION core_audit_guard()",
    "DROP TRIGGER IF EXISTS core_audit_checkpoints_no_truncate ON core_audit_checkpoints",
    "CREATE TRIGGER core_audit_checkpoints_no_truncate BEFORE TRUNCATE ON core_audit_checkpoints "
    "FOR EACH STATEMENT EXECUTE FUNCTION core_audit_guard()",
    "ALTER TABLE core_audit_log ENABLE ALWAYS TRIGGER core_audit_log_guard",
    "ALTER TABLE core_audit_log ENABLE ALWAYS TRIGGER core_audit_log_no_truncate",
    "ALTER TABLE core_audit_checkpoints ENABLE ALWAYS TRIGGER core_audit_checkpoints_guard",
    "ALTER TABLE core_audit_checkpoints ENABLE ALWAYS TRIGGER core_audit_checkpoints_no_truncate",
    f"""
CREATE OR REPLACE FUNCTION core_audit_purge(purge_before timestamptz) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    last_id bigint;
    last_hash text;
    kept_id bigint;
    purged bigint;
BEGIN
    IF purge_before IS NULL OR purge_before > now() - interval '{RETENTION_FLOOR_DAYS} days' THEN
        RAISE EXCEPTION 'audit records are kept at least {RETENTION_FLOOR_DAYS} days'
            USING ERRCODE = 'check_violation';
    END IF;
    PERFORM pg_advisory_xact_lock({AUDIT_LOCK_KEY});
    SELECT id, hash INTO last_id, last_hash FROM core_audit_log
        WHERE at < purge_before ORDER BY id DESC LIMIT 1;
    IF last_id IS NULL THEN
        RETURN 0;
    END IF;
    SELECT id INTO kept_id FROM core_audit_log WHERE id > last_id ORDER BY id LIMIT 1;
    PERFORM set_config('fuban.audit_purge', 'on', true);
    DELETE FROM core_audit_log WHERE id <= last_id;
    GET DIAGNOSTICS purged = ROW_COUNT;
    INSERT INTO core_audit_checkpoints (at, purged_before, purged_count, first_retained_id, prev_hash)
        VALUES (clock_timestamp(), purge_before, purged, kept_id, last_hash);
    PERFORM set_config('fuban.audit_purge', 'off', true);
    RETURN purged;
END
$$
""",  # noqa: S608
    "REVOKE ALL ON FUNCTION core_audit_purge(timestamptz) FROM PUBLIC",
]

AUDIT_IMMUTABLE_DOWNGRADE_SQL: list[str] = [
    "DROP FUNCTION IF EXISTS core_audit_purge(timestamptz)",
    "DROP TRIGGER IF EXISTS core_audit_checkpoints_no_truncate ON core_audit_checkpoints",
    "DROP TRIGGER IF EXISTS core_audit_checkpoints_guard ON core_audit_checkpoints",
    "DROP TRIGGER IF EXISTS core_audit_log_no_truncate ON core_audit_log",
    "DROP TRIGGER IF EXISTS core_audit_log_guard ON core_audit_log",
    "DROP FUNCTION IF EXISTS core_audit_guard()",
]
