"""The one place a ``minio.Minio`` client is built."""

from __future__ import annotations

from minio import Minio

from core.settings import Settings


def s3_client(settings: Settings) -> Minio:
    return Minio(
        settings.s3_endpoint,
        access_key=settings.s3_access_key,
        secret_key=settings.s3_secret_key.get_secret_value(),
        secure=settings.s3_secure,
        region=settings.s3_region,
    )


def ensure_bucket(settings: Settings) -> None:
    """Create the bucket on first start (idempotent)."""
    client = s3_client(settings)
    if not client.bucket_exists(settings.s3_bucket):
        client.make_bucket(settings.s3_bucket)
