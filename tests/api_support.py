"""Helpers of the API and widget tests: a small knowledge base on disk, settings and tokens."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

from advisor.api.auth import Role, mint_token
from advisor.config import Settings
from advisor.domain import Credential, KnowledgeBase, Occupation, RequiredSkill, Skill, SkillLevel
from advisor.ingest.knowledge_base import write_jsonl

TOKEN_SECRET = "test-secret-0123456789abcdef0123456789"
ALLOWED_ORIGIN = "https://learn.example.edu"
XSS_TITLE = '<img src=x onerror="window.__xss=1">SQL <script>window.__xss=2</script>for Analysts'

SKILLS = [
    Skill(id="skill:python", label="Python", alt_labels=["Python programming"], framework="esco"),
    Skill(id="skill:sql", label="SQL", framework="esco"),
    Skill(id="skill:statistics", label="statistics", framework="esco"),
]


def credential(credential_id: str, title: str, skill_ids: list[str], **fields: object) -> Credential:
    """Build a credential teaching the skills at Advanced level."""
    skills = [SkillLevel(skill_id=skill_id, level=3) for skill_id in skill_ids]
    return Credential(id=credential_id, title=title, skills=skills, **fields)


def small_knowledge_base() -> KnowledgeBase:
    """Return three credentials (one with a hostile title), three skills and one occupation."""
    credentials = [
        credential("cred:python", "Python for Everybody", ["skill:python"], hours=30, cost=49, currency="USD",
                   url="https://courses.example.org/python"),
        credential("cred:sql", XSS_TITLE, ["skill:sql"], hours=12, url="https://courses.example.org/sql"),
        credential("cred:stats", "Statistics Foundations", ["skill:statistics"], hours=20, cost=0, currency="USD",
                   url="https://courses.example.org/stats"),
    ]
    required = [RequiredSkill(skill_id=skill.id, level=3) for skill in SKILLS]
    occupations = [Occupation(id="occ:analyst", title="Data analyst", framework="esco", required_skills=required)]
    return KnowledgeBase.from_items(credentials, SKILLS, occupations)


def write_knowledge_base(directory: Path, knowledge: KnowledgeBase | None = None) -> Path:
    """Write a knowledge base as the three JSON Lines files the loader reads; return the folder."""
    knowledge = knowledge or small_knowledge_base()
    directory.mkdir(parents=True, exist_ok=True)
    write_jsonl(directory / "credentials.jsonl", knowledge.credentials.values())
    write_jsonl(directory / "skills.jsonl", knowledge.skills.values())
    write_jsonl(directory / "occupations.jsonl", knowledge.occupations.values())
    return directory


def api_settings(tmp: Path, **overrides: object) -> Settings:
    """Return settings with the small knowledge base, a test secret and one allowed origin."""
    values: dict[str, object] = {
        "data_dir": tmp / "data",
        "knowledge_base_dir": write_knowledge_base(tmp / "kb"),
        "token_secret": TOKEN_SECRET,
        "cors_origins": [ALLOWED_ORIGIN],
        "openai_api_key": None,
        "openai_base_url": None,
        "rate_limit_per_minute": 100_000,
    }
    values.update(overrides)
    return Settings(**values)


def bearer(settings: Settings, subject: str, role: Role = Role.LEARNER) -> dict[str, str]:
    """Return an Authorization header for a fresh token."""
    return {"Authorization": f"Bearer {mint_token(settings, subject, role)}"}


def plain_record(learner_id: str = "ignored", skills: tuple[str, ...] = ("Python",)) -> bytes:
    """Return a plain JSON record whose learner states the given skills."""
    record = {
        "learner_id": learner_id,
        "name": "Ada Learner",
        "self_reported_skills": [{"id": f"stated-{index}", "name": name, "level": 3} for index, name in enumerate(skills)],
    }
    return json.dumps(record).encode()


class ServerThread:
    """Runs an ASGI app with uvicorn on 127.0.0.1 on a port the OS picks, in a thread."""

    def __init__(self, app: object) -> None:
        import uvicorn

        config = uvicorn.Config(app, host="127.0.0.1", port=0, log_config=None, lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> ServerThread:
        self.thread.start()
        deadline = time.monotonic() + 60
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start within 60 s")
            time.sleep(0.05)
        return self

    @property
    def base_url(self) -> str:
        """Return http://127.0.0.1:PORT of the running server."""
        port = self.server.servers[0].sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    def __exit__(self, *exc_info: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)
