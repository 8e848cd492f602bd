"""One settings object, read from ``ADVISOR_*`` environment variables and a ``.env`` file."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PACKAGE_DIR = Path(__file__).resolve().parent


def default_knowledge_base_dir() -> Path:
    """Return the shipped knowledge base: beside the package in a checkout, inside it in a wheel."""
    checkout = PACKAGE_DIR.parent / "knowledge_base"
    if checkout.is_dir():
        return checkout
    return PACKAGE_DIR / "knowledge_base"


def default_prompts_dir() -> Path:
    """Return the shipped prompt templates: beside the package in a checkout, inside it in a wheel."""
    checkout = PACKAGE_DIR.parent / "prompts"
    if checkout.is_dir():
        return checkout
    return PACKAGE_DIR / "prompts"


class Settings(BaseSettings):
    """Settings of the whole service. Every field reads the variable ``ADVISOR_<FIELD>``."""

    model_config = SettingsConfigDict(
        env_prefix="ADVISOR_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
    )

    data_dir: Path = Field(
        default=Path.home() / ".advisor",
        description="Directory for the Chroma index, the database and other state.",
    )
    knowledge_base_dir: Path = Field(
        default_factory=default_knowledge_base_dir,
        description="Directory of the catalog, skills and occupations to index.",
    )

    embedding_provider: Literal["minilm-onnx", "openai"] = Field(
        default="minilm-onnx",
        description="minilm-onnx runs all-MiniLM-L6-v2 locally with no download; "
        "openai calls the embeddings endpoint of the configured OpenAI server.",
    )
    openai_embedding_model: str = "text-embedding-3-small"
    embedding_batch_size: int = Field(default=32, ge=1, le=2048)
    embedding_threads: int | None = Field(
        default=None, ge=1, le=256,
        description="Intra-op threads of the local ONNX model; empty means one per available core.",
    )

    chroma_mode: Literal["persistent", "http"] = Field(
        default="persistent",
        description="persistent stores the index under data_dir; http talks to a Chroma server.",
    )
    chroma_host: str = "127.0.0.1"
    chroma_port: int = Field(default=8000, ge=1, le=65535)
    chroma_ssl: bool = False
    collection_prefix: str = Field(default="advisor", pattern=r"^[a-zA-Z0-9][a-zA-Z0-9_-]{0,40}$")

    openai_api_key: SecretStr | None = None
    openai_base_url: str | None = Field(
        default=None, description="Base URL of an OpenAI-compatible server; empty for OpenAI."
    )
    openai_model: str = "gpt-4o-mini"
    openai_timeout_seconds: float = Field(
        default=30.0, gt=0, description="Deadline of one chat model request, streamed or not."
    )
    openai_stream_chunk_timeout_seconds: float = Field(
        default=15.0, gt=0, description="Longest wait between two chunks of a streamed answer."
    )
    openai_max_attempts: int = Field(
        default=3, ge=1, le=10, description="Attempts per chat model call, the first included."
    )
    openai_retry_max_wait_seconds: float = Field(
        default=20.0, ge=0, description="Longest total time spent waiting between attempts."
    )
    chat_history_token_budget: int = Field(
        default=3000, ge=200, description="Tokens of conversation history sent to the model."
    )
    prompts_dir: Path = Field(
        default_factory=default_prompts_dir,
        description="Directory of the prompt template files.",
    )

    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; empty means SQLite under data_dir."
    )
    log_level: str = "INFO"
    max_upload_bytes: int = Field(
        default=10 * 1024 * 1024,
        ge=1,
        description="Largest record or catalog file an import reads, in bytes.",
    )

    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Comma-separated origins of the pages allowed to call the API from a browser, "
        "such as 'https://learn.example.edu'; empty allows none.",
    )
    token_secret: SecretStr | None = Field(
        default=None,
        description="Shared secret that signs and checks bearer tokens (HS256), at least 32 characters.",
    )
    token_audience: str = Field(default="advisor", description="Audience ('aud') every token must name.")
    learner_token_minutes: int = Field(
        default=15, ge=1, le=1440, description="Lifetime of a learner token minted by 'advisor token'."
    )
    staff_token_minutes: int = Field(
        default=480, ge=1, le=10080, description="Lifetime of an advisor or admin token minted by 'advisor token'."
    )
    max_token_minutes: int = Field(
        default=10080, ge=1, description="Longest lifetime (exp minus iat) the server accepts in a token."
    )
    max_body_bytes: int = Field(
        default=64 * 1024, ge=1024, description="Largest request body outside file uploads, in bytes."
    )
    max_message_chars: int = Field(
        default=4000, ge=1, description="Longest chat message a caller may send, in characters."
    )
    rate_limit_per_minute: int = Field(
        default=120, ge=1, description="Requests one caller may make per minute; bursts up to this count."
    )

    @field_validator("cors_origins", mode="before")
    @classmethod
    def split_origins(cls, value: object) -> object:
        """Accept the origins as one comma-separated string, as environment variables give them."""
        if isinstance(value, str):
            return [origin.strip().rstrip("/") for origin in value.split(",") if origin.strip()]
        return value

    @property
    def chroma_path(self) -> Path:
        """Directory of the persistent Chroma index."""
        return self.data_dir / "chroma"

    @property
    def resolved_database_url(self) -> str:
        """Database URL, defaulting to a SQLite file under the data directory."""
        return self.database_url or f"sqlite:///{self.data_dir / 'advisor.db'}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the process-wide settings, read once."""
    return Settings()
