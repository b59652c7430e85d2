"""An S3-compatible attachment store (ATTACHMENT_STORE=s3), for deployments with many API
instances: the bytes leave the database, which keeps only the key.

aiobotocore is the asyncio client for botocore (the AWS SDK's core), so an upload never blocks
the event loop. Bytes go up as a multipart upload of 8 MiB parts (S3 wants at least 5 MiB per
part but the last), so at most one part is in memory; a file smaller than one part is a single
PUT. Reads stream the object's body in 256 KiB pieces.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterable, AsyncIterator
from contextlib import AsyncExitStack
from typing import TYPE_CHECKING, Any

from aiobotocore.config import AioConfig
from aiobotocore.session import get_session
from sqlalchemy.ext.asyncio import AsyncConnection

from app.storage.ports import CHUNK_BYTES, Digest, StoredBlob

if TYPE_CHECKING:
    from types_aiobotocore_s3 import S3Client
    from types_aiobotocore_s3.type_defs import CompletedPartTypeDef, ObjectIdentifierTypeDef

PART_BYTES = 8 * 1024 * 1024
PREFIX = "attachments/"


class S3Store:
    def __init__(
        self,
        *,
        bucket: str,
        endpoint_url: str | None,
        region: str,
        access_key_id: str | None,
        secret_access_key: str | None,
    ) -> None:
        self.bucket = bucket
        self._options: dict[str, Any] = {
            "endpoint_url": endpoint_url,
            "region_name": region,
            # None: botocore's own chain (environment, instance role).
            "aws_access_key_id": access_key_id,
            "aws_secret_access_key": secret_access_key,
            "config": AioConfig(signature_version="s3v4", retries={"max_attempts": 3, "mode": "standard"}),
        }
        self._stack: AsyncExitStack | None = None
        self._client: S3Client | None = None

    async def client(self) -> S3Client:
        """One client (and its connection pool) for the process, made on first use."""
        if self._client is None:
            stack = AsyncExitStack()
            client = await stack.enter_async_context(get_session().create_client("s3", **self._options))
            self._client, self._stack = client, stack
            return client
        return self._client

    async def close(self) -> None:
        if self._stack is not None:
            await self._stack.aclose()
        self._stack, self._client = None, None

    async def put(self, conn: AsyncConnection, chunks: AsyncIterable[bytes]) -> StoredBlob:
        s3, key, digest = await self.client(), f"{PREFIX}{uuid.uuid4()}", Digest()
        parts = digest.pieces(chunks, PART_BYTES).__aiter__()
        first = await anext(parts, b"")
        second = await anext(parts, None)
        if second is None:
            await s3.put_object(Bucket=self.bucket, Key=key, Body=first)
            return digest.blob(key)
        upload = await s3.create_multipart_upload(Bucket=self.bucket, Key=key)
        upload_id = upload["UploadId"]
        done: list[CompletedPartTypeDef] = []

        async def send(part: bytes) -> None:
            number = len(done) + 1
            sent = await s3.upload_part(
                Bucket=self.bucket, Key=key, UploadId=upload_id, PartNumber=number, Body=part
            )
            done.append({"PartNumber": number, "ETag": sent["ETag"]})

        try:
            await send(first)
            await send(second)
            async for part in parts:
                await send(part)
            await s3.complete_multipart_upload(
                Bucket=self.bucket, Key=key, UploadId=upload_id, MultipartUpload={"Parts": done}
            )
        except BaseException:
            # A refused (413) or failed upload leaves no parts behind to pay for.
            await s3.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload_id)
            raise
        return digest.blob(key)

    async def open(self, key: str) -> AsyncIterator[bytes]:
        s3 = await self.client()
        found = await s3.get_object(Bucket=self.bucket, Key=key)
        async with found["Body"] as body:
            async for piece in body.iter_chunks(CHUNK_BYTES):
                yield piece

    async def delete(self, conn: AsyncConnection, keys: list[str]) -> None:
        s3 = await self.client()
        for start in range(0, len(keys), 1000):  # DeleteObjects takes at most 1000 keys
            batch: list[ObjectIdentifierTypeDef] = [{"Key": k} for k in keys[start : start + 1000]]
            await s3.delete_objects(Bucket=self.bucket, Delete={"Objects": batch, "Quiet": True})

    async def abandon(self, key: str) -> None:
        s3 = await self.client()
        await s3.delete_object(Bucket=self.bucket, Key=key)
