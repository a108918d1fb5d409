"""The one typed loader of deployment settings.

Every setting comes from the environment with the prefix ``IPFIN_`` (``DATABASE_URL`` is also read
unprefixed, as every hosting platform sets it). Unknown or malformed values fail at start-up with the
variable's name, not later at the first request.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

BASE_DIR = Path(__file__).resolve().parent.parent


class Env(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="IPFIN_", extra="ignore")

    database_url: str = Field(
        default=f"sqlite:///{BASE_DIR / 'var' / 'ipfin.sqlite3'}",
        validation_alias=AliasChoices("IPFIN_DATABASE_URL", "DATABASE_URL"),
    )
    secret_key: str = "dev-insecure-change-me-ipfin-0000000000000000000000000000"
    debug: bool = False
    allowed_hosts: list[str] = ["127.0.0.1", "localhost", "testserver"]
    # Upload limit for bulk imports and appraisal reports, in bytes (refuse above it, never read it all).
    max_upload_bytes: int = 20 * 1024 * 1024
    # Failed logins before an account/IP pair is locked out, and for how long (hours).
    login_failure_limit: int = 5
    login_cooloff_hours: float = 0.5
    email_backend: str = "django.core.mail.backends.console.EmailBackend"
    secure_cookies: bool = False
    log_level: str = "INFO"
    # Fixes the platform's business date (a demo or a test of a past day); unset: today in Asia/Shanghai.
    business_date: date | None = None


env = Env()
