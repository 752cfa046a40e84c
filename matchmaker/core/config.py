"""Settings in one place: every knob comes from the environment (prefix-free names) or defaults."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def embedding_cache_dir(data_dir: Path) -> Path:
    """The embedding cache folder of a data directory (defined once, used by every cache user)."""
    return Path(data_dir) / "cache" / "embeddings"


def user_cache_dir() -> Path:
    """The per-user cache ($XDG_CACHE_HOME/matchmaker, default ~/.cache/matchmaker): embeddings of
    evaluation corpora and demo texts, shared by eval, benchmarks, notebooks and tests."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "matchmaker"


def default_public_url(host: str, port: int) -> str:
    """The base URL of a server listening on host:port: a wildcard address (0.0.0.0, ::) is
    reached as 127.0.0.1 from this machine, and an IPv6 address is written in brackets."""
    shown = host.strip() or "127.0.0.1"
    if shown in ("0.0.0.0", "::", "[::]"):
        shown = "127.0.0.1"
    elif ":" in shown and not shown.startswith("["):
        shown = f"[{shown}]"
    return f"http://{shown}:{port}"


class Settings(BaseSettings):
    """Runtime settings, read from environment variables or a `.env` file."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    data_dir: Path = Field(default=Path("data"), alias="MATCHMAKER_DATA_DIR")
    database_url: str | None = Field(default=None, alias="DATABASE_URL")
    embedder: str = Field(default="e5-small", alias="MATCHMAKER_EMBEDDER")
    host: str = Field(default="127.0.0.1", alias="MATCHMAKER_HOST")
    port: int = Field(default=8000, alias="MATCHMAKER_PORT")
    # Empty: http://{host}:{port} of `matchmaker serve` (see default_public_url).
    public_url: str = Field(default="", alias="MATCHMAKER_PUBLIC_URL")
    secret_key: str = Field(default="dev-insecure-secret", alias="MATCHMAKER_SECRET_KEY")
    smtp_host: str = Field(default="127.0.0.1", alias="SMTP_HOST")
    smtp_port: int = Field(default=25, alias="SMTP_PORT")
    smtp_tls: str = Field(default="none", alias="SMTP_TLS")  # none | starttls | ssl
    smtp_user: str | None = Field(default=None, alias="SMTP_USER")
    smtp_password: str | None = Field(default=None, alias="SMTP_PASSWORD")
    smtp_sender: str = Field(default="matchmaker@localhost", alias="SMTP_SENDER")
    smtp_timeout: float = Field(default=30.0, gt=0, alias="SMTP_TIMEOUT")  # seconds per SMTP call
    # Digest e-mails: transient-failure retries, back-off, bounces before pausing, first look-back.
    digest_smtp_retries: int = Field(default=3, ge=0, le=10, alias="MATCHMAKER_DIGEST_SMTP_RETRIES")
    digest_retry_base_seconds: float = Field(
        default=2.0, ge=0, le=60, alias="MATCHMAKER_DIGEST_RETRY_BASE_SECONDS"
    )
    digest_bounce_limit: int = Field(
        default=3, ge=1, le=100, alias="MATCHMAKER_DIGEST_BOUNCE_LIMIT"
    )
    digest_first_lookback_days: int = Field(
        default=30, ge=1, le=365, alias="MATCHMAKER_DIGEST_FIRST_LOOKBACK_DAYS"
    )
    digest_unsubscribe_mailto: str | None = Field(
        default=None, alias="MATCHMAKER_DIGEST_UNSUBSCRIBE_MAILTO"
    )  # mailbox for List-Unsubscribe mailto: (default: SMTP_SENDER)

    @model_validator(mode="after")
    def _public_url_follows_the_server(self) -> Settings:
        """Links in e-mails point where the server listens unless MATCHMAKER_PUBLIC_URL says
        otherwise (a proxy, https): a server moved to another port keeps working links."""
        if not self.public_url.strip():
            self.public_url = default_public_url(self.host, self.port)
        return self

    @property
    def index_dir(self) -> Path:
        """Where the saved search index lives."""
        return self.data_dir / "index"

    @property
    def embedding_cache_dir(self) -> Path:
        """The one on-disk embedding cache every part of the product shares."""
        return embedding_cache_dir(self.data_dir)

    @property
    def resolved_database_url(self) -> str:
        """The SQLAlchemy URL: DATABASE_URL if set, else SQLite under the data directory."""
        if self.database_url:
            url = self.database_url
            if url.startswith("postgresql://"):
                url = "postgresql+psycopg://" + url[len("postgresql://") :]
            return url
        return f"sqlite:///{(self.data_dir / 'matchmaker.db').resolve()}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Process-wide settings, read once."""
    return Settings()
