"""Resumable uploads in progress (``services/transfers.py``).

An upload session is made before a byte is sent (the destination checked, the size
allowed) and grows in the storage's partial area (``partial_key``) until ``received``
reaches ``size``; then the blob is completed, scanned and handed to the destination,
whose JSON answer is kept in ``result`` so a repeated last request gets it again.

The id the browser holds is a random token; only its SHA-256 is stored here. A session
belongs to the person who made it (``user_id``) and, for a guest, to the share their
session came through (``share_id``): anyone else's requests are answered 404. Sessions
expire 24 hours after they were made; the worker's sweep removes them and their bytes.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, Text
from sqlmodel import Field, SQLModel

from portal_app.clock import utcnow

RECEIVING, DONE, CANCELLED = "receiving", "done", "cancelled"


class UploadSession(SQLModel, table=True):
    __tablename__ = "upload_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    user_id: int | None = Field(default=None, foreign_key="user_account.id", index=True)
    share_id: int | None = Field(default=None, foreign_key="share.id")
    destination: str = Field(sa_column=Column(Text, nullable=False))
    filename: str = Field(max_length=255)
    size: int = Field(sa_column=Column(BigInteger, nullable=False))
    received: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    partial_key: str = Field(max_length=64)
    content_type: str = Field(default="", max_length=120)
    status: str = Field(default=RECEIVING, max_length=16)
    result_status: int = 0
    result: str = Field(default="", sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime = Field(index=True)
