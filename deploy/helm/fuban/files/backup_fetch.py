"""Restore helper: list the dumps the backup CronJob uploaded, or write one to stdout.

    python /scripts/backup_fetch.py --list            # newest last
    python /scripts/backup_fetch.py > fuban.dump       # the newest dump
    python /scripts/backup_fetch.py KEY > fuban.dump   # a given one

Reads the FUBAN_S3_* variables every fuban container has; the bucket and prefix default to the
chart's backup settings (BACKUP_BUCKET/BACKUP_PREFIX, else fuban-backups and postgres/).
"""

import argparse
import os
import shutil
import sys

from minio import Minio


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("key", nargs="?", help="object key; default: the newest dump")
    parser.add_argument("--list", action="store_true", help="list the dumps, newest last")
    parser.add_argument("--bucket", default=os.environ.get("BACKUP_BUCKET", "fuban-backups"))
    parser.add_argument("--prefix", default=os.environ.get("BACKUP_PREFIX", "postgres/"))
    args = parser.parse_args()
    client = Minio(
        os.environ["FUBAN_S3_ENDPOINT"],
        access_key=os.environ["FUBAN_S3_ACCESS_KEY"],
        secret_key=os.environ["FUBAN_S3_SECRET_KEY"],
        secure=os.environ.get("FUBAN_S3_SECURE", "true").lower() == "true",
        region=os.environ.get("FUBAN_S3_REGION") or None,
    )
    dumps = sorted(
        (o for o in client.list_objects(args.bucket, prefix=args.prefix) if o.object_name.endswith(".dump")),
        key=lambda o: o.object_name,
    )
    if args.list:
        for o in dumps:
            print(f"{o.object_name}\t{o.size}\t{o.last_modified:%Y-%m-%d %H:%M:%S %Z}")
        return 0
    key = args.key or (dumps[-1].object_name if dumps else None)
    if key is None:
        print(f"no dumps under s3://{args.bucket}/{args.prefix}", file=sys.stderr)
        return 1
    response = client.get_object(args.bucket, key)
    try:
        shutil.copyfileobj(response, sys.stdout.buffer, 1024 * 1024)
    finally:
        response.close()
        response.release_conn()
    print(f"wrote s3://{args.bucket}/{key}", file=sys.stderr)
    return 0


sys.exit(main())
