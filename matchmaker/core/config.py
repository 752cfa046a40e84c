"""Settings in one place: every knob comes from the environment (prefix-free names) or defaults."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

CHINA = ZoneInfo("Asia/Shanghai")  # the one time zone users read dates and periods in
DEFAULT_SECRET = "dev-insecure-secret"
MIN_SECRET_LENGTH = 32
ENVIRONMENTS = ("development", "production")


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
    # production (the default) refuses to start with the default or a short secret key.
    env: Literal["development", "production"] = Field(default="production", alias="MATCHMAKER_ENV")
    secret_key: str = Field(default=DEFAULT_SECRET, alias="MATCHMAKER_SECRET_KEY")
    # Proxies whose X-Forwarded-For / X-Forwarded-Proto are believed (comma-separated IPs; empty:
    # none, the socket's peer and scheme are used as they are).
    trusted_proxies: str = Field(default="", alias="MATCHMAKER_TRUSTED_PROXIES")
    # Parks (external ids, comma-separated) where members' edits of published items go live at
    # once instead of going back to review.
    live_edit_parks: str = Field(default="", alias="MATCHMAKER_LIVE_EDIT_PARKS")
    # Abuse limits (see docs/api.md): counters live in this process, or in Redis when a URL is set.
    rate_limit_redis_url: str | None = Field(default=None, alias="MATCHMAKER_RATE_LIMIT_REDIS_URL")
    rate_limits: bool = Field(default=True, alias="MATCHMAKER_RATE_LIMITS")
    limit_login_failures: int = Field(default=10, ge=1, alias="MATCHMAKER_LIMIT_LOGIN_FAILURES")
    limit_account_login_failures: int = Field(
        default=5, ge=1, alias="MATCHMAKER_LIMIT_ACCOUNT_LOGIN_FAILURES"
    )
    limit_signups_per_hour: int = Field(default=5, ge=1, alias="MATCHMAKER_LIMIT_SIGNUPS")
    limit_account_mails_per_hour: int = Field(
        default=10, ge=1, alias="MATCHMAKER_LIMIT_ACCOUNT_MAILS"
    )
    limit_key_failures: int = Field(default=20, ge=1, alias="MATCHMAKER_LIMIT_KEY_FAILURES")
    limit_search_per_minute: int = Field(default=120, ge=1, alias="MATCHMAKER_LIMIT_SEARCH")
    limit_subscribe_per_hour: int = Field(default=5, ge=1, alias="MATCHMAKER_LIMIT_SUBSCRIBE")
    limit_confirmations_per_day: int = Field(
        default=20, ge=1, alias="MATCHMAKER_LIMIT_CONFIRMATIONS_PER_DAY"
    )
    # Import file limits (docs/import-format.md): each refused with a message naming the limit.
    import_max_rows: int = Field(default=200_000, ge=1, alias="MATCHMAKER_IMPORT_MAX_ROWS")
    import_max_columns: int = Field(default=200, ge=1, alias="MATCHMAKER_IMPORT_MAX_COLUMNS")
    import_max_cell_chars: int = Field(
        default=32_767, ge=1, alias="MATCHMAKER_IMPORT_MAX_CELL_CHARS"
    )  # Excel's own limit for one cell
    import_max_file_mb: int = Field(default=200, ge=1, alias="MATCHMAKER_IMPORT_MAX_FILE_MB")
    import_max_inflated_mb: int = Field(
        default=256, ge=1, alias="MATCHMAKER_IMPORT_MAX_INFLATED_MB"
    )  # XLSX: all parts unpacked
    import_max_zip_ratio: int = Field(default=100, ge=1, alias="MATCHMAKER_IMPORT_MAX_ZIP_RATIO")
    # Uploads with more rows than this answer 202 at once and run as a job (progress endpoint).
    import_job_rows: int = Field(default=100, ge=0, alias="MATCHMAKER_IMPORT_JOB_ROWS")
    # Seconds the server waits at start for the index to catch up before opening its port
    # (0: open at once; /ready says "starting" with the backlog until it has caught up).
    start_wait_seconds: float = Field(default=0.0, ge=0, alias="MATCHMAKER_START_WAIT")
    # A running server looks for database changes its index has not seen (rows written by the
    # CLI, e.g. `matchmaker import … --defer-embedding`) this often, and catches up (0: never).
    index_catch_up_seconds: float = Field(
        default=60.0, ge=0, alias="MATCHMAKER_INDEX_CATCH_UP_SECONDS"
    )
    # Background jobs on a queue (Celery): a broker URL (redis://host:6379/0) sends imports,
    # embedding and digests to `matchmaker worker` processes and keeps vectors in a database
    # cache; unset, everything runs in this process as before.
    broker_url: str | None = Field(default=None, alias="MATCHMAKER_BROKER_URL")
    # Seconds before a task a worker took but never acknowledged (its process died) is handed out
    # again; keep it above the longest task (an embedding chunk, a digest shard).
    queue_visibility_timeout: int = Field(
        default=3600, ge=5, alias="MATCHMAKER_QUEUE_VISIBILITY_TIMEOUT"
    )
    # With a broker, an upload this large (bytes) is queued unread: a worker reads, checks and
    # writes it, so the request answers at once whatever the row count.
    queue_raw_upload_bytes: int = Field(
        default=1_048_576, ge=0, alias="MATCHMAKER_QUEUE_RAW_UPLOAD_BYTES"
    )
    queue_embed_chunk: int = Field(default=32, ge=1, le=1000, alias="MATCHMAKER_QUEUE_EMBED_CHUNK")
    queue_digest_shard: int = Field(
        default=500, ge=1, le=100_000, alias="MATCHMAKER_QUEUE_DIGEST_SHARD"
    )
    # Where item vectors live: in-process FAISS saved in the data directory (one machine), or
    # PostgreSQL with pgvector next to the items (DATABASE_URL), shared by every API replica.
    vector_store: Literal["faiss", "pgvector"] = Field(
        default="faiss", alias="MATCHMAKER_VECTOR_STORE"
    )
    # pgvector: how often a replica looks for items other replicas wrote or deleted (seconds).
    vector_poll_seconds: float = Field(
        default=0.25, gt=0, le=60, alias="MATCHMAKER_VECTOR_POLL_SECONDS"
    )
    # pgvector: HNSW candidate list per query (recall against speed, `matchmaker bench pgvector`).
    pgvector_ef_search: int = Field(
        default=200, ge=10, le=1000, alias="MATCHMAKER_PGVECTOR_EF_SEARCH"
    )
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
    def development(self) -> bool:
        """Whether this is a development or demo machine (weak secrets are tolerated there)."""
        return self.env == "development"

    @property
    def live_edit_park_ids(self) -> frozenset[str]:
        """External ids of the parks whose published items are edited live."""
        return frozenset(p.strip() for p in self.live_edit_parks.split(",") if p.strip())

    @property
    def proxies(self) -> list[str]:
        """The trusted proxies' addresses."""
        return [p.strip() for p in self.trusted_proxies.split(",") if p.strip()]

    def secret_problem(self) -> str | None:
        """Why the secret key is unsafe (the default, or too short), or None when it is fine."""
        if self.secret_key == DEFAULT_SECRET:
            return "MATCHMAKER_SECRET_KEY 仍是默认值 / MATCHMAKER_SECRET_KEY is the default value"
        if len(self.secret_key) < MIN_SECRET_LENGTH:
            return (
                f"MATCHMAKER_SECRET_KEY 少于 {MIN_SECRET_LENGTH} 个字符 / "
                f"MATCHMAKER_SECRET_KEY is shorter than {MIN_SECRET_LENGTH} characters"
            )
        return None

    @property
    def import_jobs_dir(self) -> Path:
        """Where import jobs keep their progress files."""
        return self.data_dir / "jobs" / "imports"

    @property
    def queued(self) -> bool:
        """Whether background work goes to queue workers (a broker URL is set)."""
        return bool(self.broker_url and self.broker_url.strip())

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


class InsecureSettings(RuntimeError):
    """The settings are unsafe for production: the message says what is wrong and how to fix it."""


SECRET_HOWTO = (
    "请设置一个随机的长密钥，例如 / set a long random key, e.g.:\n"
    "  export MATCHMAKER_SECRET_KEY=\"$(python3 -c 'import secrets; print(secrets.token_urlsafe(48))')\"\n"
    "（或写入 .env）；仅在开发或演示时可设 MATCHMAKER_ENV=development / "
    "(or put it in .env); only for development or demos set MATCHMAKER_ENV=development"
)


def check_settings(settings: Settings) -> None:
    """Refuse production settings that would let anyone forge session cookies or e-mail links
    (the default or a short MATCHMAKER_SECRET_KEY); development mode tolerates them."""
    problem = settings.secret_problem()
    if problem is None or settings.development:
        return
    raise InsecureSettings(f"拒绝启动 / refusing to start: {problem}\n{SECRET_HOWTO}")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Process-wide settings, read once."""
    return Settings()
