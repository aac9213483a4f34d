"""Object storage over the S3 API (MinIO in production, SeaweedFS in the embedded stack)."""
