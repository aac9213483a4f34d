"""The one place a ``minio.Minio`` client is built, and the bucket's one-time set-up."""

from __future__ import annotations

import logging

from minio import Minio
from minio.commonconfig import ENABLED, Filter
from minio.error import S3Error
from minio.lifecycleconfig import AbortIncompleteMultipartUpload, LifecycleConfig, Rule
from minio.objectlockconfig import ObjectLockConfig
from minio.versioningconfig import VersioningConfig

from core.settings import Settings

logger = logging.getLogger(__name__)


def s3_client(settings: Settings) -> Minio:
    return Minio(
        settings.s3_endpoint,
        access_key=settings.s3_access_key,
        secret_key=settings.s3_secret_key.get_secret_value(),
        secure=settings.s3_secure,
        region=settings.s3_region,
    )


def ensure_bucket(settings: Settings) -> None:
    """Create the bucket on first start (idempotent): versioned, with S3 object lock, and a rule that
    clears multipart uploads a crashed process left unfinished.

    Object lock (for archived files) must be enabled when a bucket is created on MinIO; an existing
    bucket without it keeps working, but ``lock_object`` then answers 409 ``object_lock_unavailable``
    (a warning is logged here). SeaweedFS also accepts enabling it later, which is tried.
    """
    client = s3_client(settings)
    bucket = settings.s3_bucket
    if not client.bucket_exists(bucket):
        client.make_bucket(bucket, object_lock=True)
    if client.get_bucket_versioning(bucket).status != ENABLED:
        client.set_bucket_versioning(bucket, VersioningConfig(ENABLED))
    try:
        client.get_object_lock_config(bucket)
    except S3Error:
        try:
            client.set_object_lock_config(bucket, ObjectLockConfig(None, None, None))
            client.get_object_lock_config(bucket)
        except S3Error as err:
            logger.warning(
                "bucket %s has no object lock (%s): archived files cannot be locked", bucket, err.code
            )
    try:
        rule = Rule(
            ENABLED,
            rule_filter=Filter(prefix=""),
            rule_id="fuban-abort-incomplete-uploads",
            abort_incomplete_multipart_upload=AbortIncompleteMultipartUpload(1),
        )
        client.set_bucket_lifecycle(bucket, LifecycleConfig([rule]))
    except S3Error as err:
        logger.warning("bucket %s: lifecycle rule not set (%s)", bucket, err.code)
