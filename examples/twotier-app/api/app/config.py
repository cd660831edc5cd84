"""Settings read from environment variables.

Variable        Meaning                                                     Default
APP_MESSAGE     text returned by GET /api/message                           "Hello from twotier"
APP_VERSION     version string (the deploy sets the image tag / commit)     "dev"
DATABASE_URL    database connection URL; an ECS secret from SSM Parameter   unset
                Store. Only its presence is ever reported, never the value.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

DEFAULT_MESSAGE = "Hello from twotier"


@dataclass(frozen=True)
class Settings:
    message: str = DEFAULT_MESSAGE
    version: str = "dev"
    # repr=False keeps the secret out of logs, tracebacks and debug prints of the settings object.
    database_url: str | None = field(default=None, repr=False)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "Settings":
        """Read settings from ``env`` (default ``os.environ``); empty strings count as unset."""
        env = os.environ if env is None else env
        return cls(
            message=env.get("APP_MESSAGE") or DEFAULT_MESSAGE,
            version=env.get("APP_VERSION") or "dev",
            database_url=env.get("DATABASE_URL") or None,
        )

    def database_target(self) -> str | None:
        """A loggable description of the database: scheme, host and database name, no credentials."""
        if not self.database_url:
            return None
        parts = urlsplit(self.database_url)
        host = parts.hostname or "?"
        port = f":{parts.port}" if parts.port else ""
        return f"{parts.scheme}://{host}{port}{parts.path}"
