"""The attachment store the settings ask for."""

from __future__ import annotations

from app.config import Settings
from app.db.engine import Database
from app.storage.ports import AttachmentStore
from app.storage.postgres import PostgresStore


def build_store(settings: Settings, db: Database) -> AttachmentStore:
    settings.check_attachment_store()
    if settings.attachment_store == "s3":
        from app.storage.s3 import S3Store

        assert settings.s3_bucket is not None
        return S3Store(
            bucket=settings.s3_bucket,
            endpoint_url=settings.s3_endpoint_url,
            region=settings.s3_region,
            access_key_id=settings.s3_access_key_id,
            secret_access_key=settings.s3_secret_access_key,
        )
    return PostgresStore(db)
