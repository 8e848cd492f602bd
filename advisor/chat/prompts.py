"""Prompt templates kept as files, each declaring its name, version and variables.

A prompt file is Markdown with YAML front matter::

    ---
    name: advisor_system
    version: 1
    description: ...
    variables: [learner_name, today]
    ---
    Body with {{learner_name}} placeholders.

Loading checks that the placeholders of the body and the declared variables are the same
set. Rendering checks the given values against that set before anything reaches a model, and
substitutes in a single pass, so a value that itself contains ``{{name}}`` stays literal text.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

from advisor.config import get_settings
from advisor.errors import NotFoundError, PromptError

logger = logging.getLogger(__name__)

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n(.*)\Z", re.DOTALL)
PROMPT_SUFFIX = ".md"


@dataclass(frozen=True)
class PromptRef:
    """Name and version of a prompt, as recorded with every answer it produced."""

    name: str
    version: str

    def __str__(self) -> str:
        return f"{self.name}@{self.version}"


@dataclass(frozen=True)
class Prompt:
    """A prompt template read from a file."""

    name: str
    version: str
    description: str
    variables: tuple[str, ...]
    body: str
    path: Path

    @property
    def ref(self) -> PromptRef:
        """Name and version of this prompt."""
        return PromptRef(self.name, self.version)

    def check(self, values: Mapping[str, object]) -> None:
        """Raise PromptError naming every missing and every unknown variable in ``values``."""
        declared = set(self.variables)
        missing = sorted(declared - values.keys())
        unknown = sorted(values.keys() - declared)
        if not missing and not unknown:
            return

        parts = []
        if missing:
            parts.append(f"missing variables {missing}")
        if unknown:
            parts.append(f"unknown variables {unknown}")
        raise PromptError(
            f"Cannot render prompt {self.name!r}: {' and '.join(parts)}.",
            value={"missing": missing, "unknown": unknown},
            hint=f"Pass exactly the variables its front matter declares: {list(self.variables)}.",
        )

    def render(self, **values: object) -> str:
        """Render the body with ``values``, which must match the declared variables exactly."""
        self.check(values)
        return PLACEHOLDER.sub(lambda match: str(values[match.group(1)]), self.body)


def load_prompt(path: Path) -> Prompt:
    """Read and validate one prompt file."""
    text = path.read_text(encoding="utf-8")
    match = FRONT_MATTER.match(text)
    if match is None:
        raise PromptError(
            f"Prompt file {str(path)!r} has no front matter.",
            value=str(path),
            hint="Start the file with a '---' block that declares name, version and variables.",
        )

    header = parse_front_matter(path, match.group(1))
    body = match.group(2).strip() + "\n"
    variables = tuple(header["variables"])
    check_placeholders(path, body, variables)

    return Prompt(
        name=header["name"],
        version=str(header["version"]),
        description=str(header.get("description", "")),
        variables=variables,
        body=body,
        path=path,
    )


def parse_front_matter(path: Path, text: str) -> dict:
    """Parse the YAML front matter of a prompt file and check its required keys."""
    try:
        header = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise PromptError(
            f"Front matter of {str(path)!r} is invalid YAML: {error}.", value=str(path)
        ) from error

    if not isinstance(header, dict):
        raise PromptError(f"Front matter of {str(path)!r} is not a mapping.", value=header)

    missing = [key for key in ("name", "version", "variables") if key not in header]
    if missing:
        raise PromptError(
            f"Front matter of {str(path)!r} is missing the keys {missing}.",
            value=header,
            hint="Declare name, version and variables (an empty list when there are none).",
        )

    if header["name"] != path.stem:
        raise PromptError(
            f"Prompt {str(path)!r} declares the name {header['name']!r}, which differs from its file name.",
            value=header["name"],
            hint=f"Use the file name without its suffix: {path.stem!r}.",
        )

    variables = header["variables"] or []
    if not isinstance(variables, list) or not all(isinstance(item, str) for item in variables):
        raise PromptError(
            f"Variables of {str(path)!r} must be a list of names.", value=header["variables"]
        )
    if len(set(variables)) != len(variables):
        raise PromptError(f"Variables of {str(path)!r} repeat a name.", value=variables)

    header["variables"] = variables
    return header


def check_placeholders(path: Path, body: str, variables: tuple[str, ...]) -> None:
    """Raise PromptError when the body's placeholders differ from the declared variables."""
    used = set(PLACEHOLDER.findall(body))
    undeclared = sorted(used - set(variables))
    unused = sorted(set(variables) - used)
    if undeclared or unused:
        raise PromptError(
            f"Prompt {str(path)!r} does not match its declared variables: "
            f"undeclared placeholders {undeclared}, unused variables {unused}.",
            value={"undeclared": undeclared, "unused": unused},
            hint="Declare every {{name}} of the body in the front matter, and only those.",
        )


class PromptLibrary:
    """Every prompt of a directory, looked up by name."""

    def __init__(self, prompts: Mapping[str, Prompt]) -> None:
        self._prompts = dict(prompts)

    @classmethod
    def from_directory(cls, directory: Path) -> "PromptLibrary":
        """Load and validate every ``*.md`` prompt file of ``directory``."""
        if not directory.is_dir():
            raise PromptError(
                f"Prompt directory {str(directory)!r} does not exist.",
                value=str(directory),
                hint="Set ADVISOR_PROMPTS_DIR to the folder of prompt files.",
            )

        prompts = {}
        for path in sorted(directory.glob(f"*{PROMPT_SUFFIX}")):
            prompt = load_prompt(path)
            prompts[prompt.name] = prompt

        logger.debug("Loaded %d prompts from %s", len(prompts), directory)
        return cls(prompts)

    def get(self, name: str) -> Prompt:
        """Return the prompt called ``name``."""
        try:
            return self._prompts[name]
        except KeyError:
            raise NotFoundError(
                f"No prompt named {name!r}.",
                value=name,
                hint=f"Known prompts: {sorted(self._prompts)}.",
            ) from None

    def names(self) -> list[str]:
        """Return the prompt names in alphabetical order."""
        return sorted(self._prompts)

    def versions(self) -> dict[str, str]:
        """Return the version of every prompt by name, for recording with an answer."""
        return {name: prompt.version for name, prompt in sorted(self._prompts.items())}


def load_prompts(directory: Path | None = None) -> PromptLibrary:
    """Load the prompt library from ``directory``, by default the configured prompts directory."""
    return PromptLibrary.from_directory(directory or get_settings().prompts_dir)
