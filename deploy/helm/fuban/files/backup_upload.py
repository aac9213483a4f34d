"""Backup CronJob, second step: upload the pg_dump file to S3 and keep only the newest N dumps.

Reads the same FUBAN_S3_* variables as the application; BACKUP_BUCKET, BACKUP_PREFIX, BACKUP_KEEP and
BACKUP_FILE come from the CronJob.
"""

import os
import sys
from datetime import UTC, datetime

from minio import Minio


def main() -> int:
    client = Minio(
        os.environ["FUBAN_S3_ENDPOINT"],
        access_key=os.environ["FUBAN_S3_ACCESS_KEY"],
        secret_key=os.environ["FUBAN_S3_SECRET_KEY"],
        secure=os.environ.get("FUBAN_S3_SECURE", "true").lower() == "true",
        region=os.environ.get("FUBAN_S3_REGION") or None,
    )
    bucket = os.environ["BACKUP_BUCKET"]
    prefix = os.environ.get("BACKUP_PREFIX", "postgres/")
    keep = int(os.environ.get("BACKUP_KEEP", "14"))
    path = os.environ["BACKUP_FILE"]
    if os.path.getsize(path) == 0:
        print("dump is empty; refusing to upload", file=sys.stderr)
        return 1
    if not client.bucket_exists(bucket):
        client.make_bucket(bucket)
    # Microseconds keep two runs in one second apart; names sort by time.
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H-%M-%S.%fZ")
    key = f"{prefix}fuban-{stamp}.dump"
    client.fput_object(bucket, key, path, content_type="application/octet-stream")
    print(f"uploaded s3://{bucket}/{key} ({os.path.getsize(path)} bytes)")
    dumps = sorted(
        (
            o.object_name
            for o in client.list_objects(bucket, prefix=prefix)
            if o.object_name.endswith(".dump")
        ),
        reverse=True,
    )
    for old in dumps[keep:]:
        client.remove_object(bucket, old)
        print(f"removed old dump {old}")
    return 0


sys.exit(main())
