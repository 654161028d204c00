"""Settings, read once from the environment and `.env` (every one is listed in .env.example)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Cooldown's settings; relative paths are taken from the project folder."""

    model_config = SettingsConfigDict(
        env_file=PROJECT_ROOT / ".env", env_file_encoding="utf-8", extra="ignore"
    )

    discord_token: SecretStr | None = None
    dev_guild_id: int | None = None
    trainer_role: str = "Trainer"
    officer_messages_per_minute: int = Field(default=12, ge=1)
    # how long `cooldown run` keeps trying to reach Discord at start before it gives up (exit 5)
    discord_connect_timeout_s: float = Field(default=300.0, ge=0)
    # on SIGTERM/SIGINT: how long turns in flight get to be answered before the bot disconnects
    shutdown_grace_s: float = Field(default=8.0, ge=0)

    model_backend: Literal["local", "openai", "scripted"] = "local"
    model: str = ""  # empty: the embedded gemma-3-270m
    model_adapter: str = ""  # empty: the shipped visitor adapter; none; or an adapter folder
    model_cache_dir: Path = Path("models")
    device: Literal["auto", "cpu", "cuda"] = "auto"
    openai_base_url: str = "http://127.0.0.1:8000/v1"
    openai_model: str = "default"
    openai_api_key: SecretStr | None = None
    openai_timeout_s: float = 30.0
    openai_api: Literal["chat", "completions"] = "chat"

    rubric_encoder: Literal["minilm", "none"] = "minilm"

    database_path: Path = Path("data/cooldown.db")
    personas_dir: Path = Path("personas")
    log_level: str = "INFO"

    def path(self, value: Path) -> Path:
        """A settings path made absolute against the project folder."""
        return value if value.is_absolute() else PROJECT_ROOT / value


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (read once)."""
    return Settings()
