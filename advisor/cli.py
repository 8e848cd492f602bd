"""The ``advisor`` command line: index, search, import, recommend and more.

Each command parses its options, calls one function of the layer that owns the work and
prints the result. Logging is configured here and nowhere below.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

import typer

from advisor.config import get_settings

app = typer.Typer(
    help="Plan and explain pathways of stackable credentials toward a learner's goal.",
    no_args_is_help=True,
    add_completion=False,
)


LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

# The files the commands read, with the formats their importers accept, for error hints.
RECORD_FILE = "learner record file (Open Badges 3.0, CLR 2.0, JWT, LER-RS, JSON or YAML)"
CATALOG_FILE = "catalog file (CSV, JSON, JSONL, Coursera, edX or CTDL JSON-LD)"


class OwnLoggersFilter(logging.Filter):
    """Pass every WARNING and above, and lower records only from the named top-level loggers.

    A handler filter is needed because some libraries set their own logger level on import
    (bm25s 0.3.16 sets its logger to DEBUG), after the command line has configured logging.
    """

    def __init__(self, names: set[str]) -> None:
        super().__init__()
        self.names = names

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.WARNING or record.name.split(".")[0] in self.names


own_loggers = OwnLoggersFilter({"advisor"})


@app.callback()
def configure(
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log at DEBUG level, libraries included."),
) -> None:
    """Configure logging once for every command.

    Without -v the advisor loggers log at ADVISOR_LOG_LEVEL when it is set, else at WARNING,
    and other libraries log only warnings and errors.
    """
    if verbose:
        logging.basicConfig(level=logging.DEBUG, format=LOG_FORMAT)
        return
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    handler.addFilter(own_loggers)
    logging.basicConfig(level=logging.WARNING, handlers=[handler])
    settings = get_settings()
    level = log_level_named(settings.log_level) if "log_level" in settings.model_fields_set else logging.WARNING
    logging.getLogger("advisor").setLevel(level)


def log_level_named(name: str) -> int:
    """Return the logging level for a name such as 'info', or INFO for an unknown name."""
    level = logging.getLevelName(name.upper())
    return level if isinstance(level, int) else logging.INFO


def require_file(path: Path, option: str, expected: str) -> None:
    """Raise ``InvalidInputError`` unless ``path`` is an existing file (not a folder)."""
    from advisor.errors import InvalidInputError

    if path.is_dir():
        raise InvalidInputError(
            f"{option} {str(path)!r} is a folder, but a file is needed.",
            value=str(path),
            hint=f"Give one {expected}, such as a file inside that folder.",
        )
    if not path.exists():
        raise InvalidInputError(
            f"{option} {str(path)!r} not found.",
            value=str(path),
            hint=f"Check the path. Expected: a {expected}.",
        )


# Commands are added below, one block per layer.


@app.command("recommend")
def recommend_command(
    goal: str = typer.Option(
        ...,
        "--goal",
        help="Occupation (id, ESCO URI, O*NET code or title), job posting text, or a skill list "
        "such as 'python:3, sql'. Prefix with 'occupation:', 'posting:' or 'skills:' to force the kind.",
    ),
    record: Path | None = typer.Option(
        None, "--record", help="Learner record file (default: none, a cold start)."
    ),
    hours_per_week: float | None = typer.Option(
        None, "--hours-per-week", min=0.5, max=168, help="Study hours per week (default: the record's, else 5)."
    ),
    budget: float | None = typer.Option(None, "--budget", min=0, help="Budget over known costs."),
    currency: str | None = typer.Option(None, "--currency", help="Currency of the budget, such as USD."),
    deadline: datetime | None = typer.Option(None, "--deadline", formats=["%Y-%m-%d"], help="Finish by this date."),
    start: datetime | None = typer.Option(None, "--start", formats=["%Y-%m-%d"], help="Start date (default: today)."),
    max_credentials: int | None = typer.Option(None, "--max-credentials", min=1, help="Maximum number of steps."),
    exclude: list[str] = typer.Option([], "--exclude", help="Credential id to leave out; repeat for several."),
    alternatives: bool = typer.Option(False, "--alternatives", help="Also look for a cheaper and a faster pathway."),
    as_json: bool = typer.Option(False, "--json", help="Print the advice as JSON."),
) -> None:
    """Plan a cited pathway of credentials from a learner record toward a goal."""
    import json

    from advisor.domain import Constraints
    from advisor.engine import advise
    from advisor.engine.explain import render_advice
    from advisor.engine.goals import goal_from_text
    from advisor.errors import AdvisorError

    try:
        constraints = Constraints(
            hours_per_week=hours_per_week,
            budget=budget,
            currency=currency.upper() if currency else None,
            deadline=deadline.date() if deadline else None,
            start=start.date() if start else None,
            max_credentials=max_credentials,
            exclude=exclude,
        )
        if record is not None:
            require_file(record, "--record", RECORD_FILE)
        kb, learner_record = _load_recommend_inputs(record)
        skill_search = _skill_search_if_built()
        relevance = _relevance_for(skill_search)
        advice = advise(
            kb,
            learner_record,
            goal_from_text(goal),
            constraints,
            skill_search,
            alternatives=alternatives,
            relevance=relevance,
        )
    except AdvisorError as error:
        typer.echo(f"Error: {error}", err=True)
        raise typer.Exit(1) from error
    if as_json:
        typer.echo(json.dumps(advice.model_dump(mode="json"), indent=2, ensure_ascii=False))
    else:
        typer.echo(render_advice(advice))


def _load_recommend_inputs(record: Path | None):  # type: ignore[no-untyped-def]
    """Load the shipped knowledge base and, when given, the learner record joined to it."""
    from advisor.ingest.knowledge_base import load_knowledge_base
    from advisor.ingest.records import import_record

    kb, _reports = load_knowledge_base(get_settings().knowledge_base_dir)
    if record is None:
        return kb, None
    result = import_record(record, knowledge_base=kb)
    for rejection in result.report.rejected:
        logging.getLogger(__name__).warning("record item rejected: %s", rejection)
    return kb, result.items[0]


def _skill_search_if_built():  # type: ignore[no-untyped-def]
    """Return the skills index as a SkillSearch when it has been built, else None."""
    settings = get_settings()
    if settings.chroma_mode == "persistent" and not settings.chroma_path.is_dir():
        return None
    try:
        from advisor.index.search import ChromaSkillSearch
        from advisor.index.store import CollectionKind, IndexStore

        store = IndexStore(settings)
        if not store.revision(CollectionKind.SKILLS) or not store.fits_model(CollectionKind.SKILLS):
            return None
        if store.collection(CollectionKind.SKILLS).count() == 0:
            return None
        return ChromaSkillSearch(store)
    except Exception as error:  # noqa: BLE001 - any index failure falls back to label matching
        logging.getLogger(__name__).warning("skills index unavailable, matching labels only: %s", error)
        return None


def _relevance_for(skill_search):  # type: ignore[no-untyped-def]
    """Return the credentials index as a CredentialRelevance beside a built skills index, else None."""
    if skill_search is None:
        return None
    from advisor.index.search import ChromaCredentialRelevance
    from advisor.index.store import CollectionKind

    store = skill_search.store
    try:
        if store.collection(CollectionKind.CREDENTIALS).count() == 0 or not store.fits_model(CollectionKind.CREDENTIALS):
            return None
    except Exception as error:  # noqa: BLE001 - any index failure falls back to the skill mappings
        logging.getLogger(__name__).warning("credentials index unavailable, planning without relevance: %s", error)
        return None
    return ChromaCredentialRelevance(store)


@app.command("index")
def index_command(
    knowledge_base: Path | None = typer.Option(
        None,
        "--knowledge-base",
        help="Directory with credentials.jsonl, skills.jsonl and occupations.jsonl "
        "(default: the shipped knowledge base plus the imported catalog).",
    ),
    rebuild: bool = typer.Option(
        False, "--rebuild", help="Delete the catalog collections and embed everything again."
    ),
) -> None:
    """Index the knowledge base and the imported catalog in Chroma, embedding only new and changed items."""
    from rich.console import Console

    from advisor.errors import AdvisorError
    from advisor.index.console import index_with_progress, summary_table

    console = Console()
    try:
        if knowledge_base is None:
            summaries = _index_served_catalog(rebuild, console)
        else:
            summaries = index_with_progress(knowledge_base, rebuild, console)
    except AdvisorError as error:
        typer.echo(f"Error: {error}", err=True)
        raise typer.Exit(1) from error
    console.print(summary_table(summaries))


def _index_served_catalog(rebuild: bool, console):  # type: ignore[no-untyped-def]
    """Index the shipped knowledge base plus the imported catalog, with a progress bar per collection."""
    from advisor.index.console import index_knowledge_with_progress
    from advisor.ingest.imported_catalog import load_served_knowledge_base

    served, reports = load_served_knowledge_base(get_settings())
    knowledge = served.knowledge
    rejected = sum(len(report.rejected) for report in reports)
    console.print(
        f"Read {len(knowledge.credentials)} credentials ({len(served.imported)} imported), "
        f"{len(knowledge.skills)} skills and {len(knowledge.occupations)} occupations "
        f"({rejected} records rejected on import)."
    )
    return index_knowledge_with_progress(knowledge, rebuild, console)


@app.command("search")
def search_command(
    query: str = typer.Argument(..., help="Words to search for."),
    collection: str = typer.Option(
        "credentials", "--collection", help="Collection to search: credentials or skills."
    ),
    limit: int = typer.Option(10, "--limit", min=1, max=1000, help="Maximum number of results."),
    as_json: bool = typer.Option(False, "--json", help="Print the results as JSON."),
) -> None:
    """Search credentials or skills by meaning and by words, fused into one ranking."""
    from rich.console import Console

    from advisor.errors import AdvisorError
    from advisor.index.console import search_and_render

    try:
        search_and_render(query, collection, limit, as_json, Console())
    except AdvisorError as error:
        typer.echo(f"Error: {error}", err=True)
        raise typer.Exit(1) from error


import_app = typer.Typer(help="Import catalogs and learner records, and report every rejected record.")
app.add_typer(import_app, name="import")


@import_app.command("catalog")
def import_catalog(
    file: Path = typer.Argument(..., help="Catalog file to import."),
    file_format: str | None = typer.Option(
        None,
        "--format",
        help="csv, json, jsonl, coursera, edx or ctdl; default: from the file extension, and ctdl for JSON-LD.",
    ),
    apply: bool = typer.Option(
        False,
        "--apply",
        help="Add or update the good credentials in the imported catalog under the data directory "
        "(default: a dry run that only prints the report).",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the import report as JSON."),
) -> None:
    """Import a catalog file and print the report: accepted count and every rejected record."""
    import json

    from advisor.errors import AdvisorError
    from advisor.ingest.imported_catalog import (
        CatalogChange,
        apply_import,
        imported_catalog_path,
        load_served_knowledge_base,
        read_catalog_file,
    )

    settings = get_settings()
    change = CatalogChange()
    try:
        require_file(file, "Catalog file", CATALOG_FILE)
        if apply:
            served, _reports = load_served_knowledge_base(settings)
            result = read_catalog_file(file, file_format, served.knowledge)
            change = apply_import(served, result, imported_catalog_path(settings))[1]
        else:
            result = read_catalog_file(file, file_format)
    except AdvisorError as error:
        typer.echo(f"Error: {error}", err=True)
        raise typer.Exit(code=2) from error

    if as_json:
        output = result.report.model_dump(mode="json")
        if apply:
            output["change"] = change.model_dump()
        typer.echo(json.dumps(output, indent=2, ensure_ascii=False))
        return
    typer.echo(f"{result.report.source}: {result.report.accepted} accepted, {len(result.report.rejected)} rejected")
    for rejection in result.report.rejected:
        typer.echo(f"  rejected {rejection}")
    for warning in result.report.warnings:
        typer.echo(f"  warning {warning}")
    if apply:
        typer.echo(
            f"{imported_catalog_path(settings)}: {len(change.added)} added, {len(change.updated)} updated, "
            f"{len(change.unchanged)} unchanged. Run 'advisor index' to make them searchable, and restart "
            "a running server to serve them."
        )


@import_app.command("record")
def import_record_command(
    file: Path = typer.Argument(..., help="Record file: Open Badges 3.0, CLR 2.0, JWT, LER-RS, JSON or YAML."),
    learner_id: str | None = typer.Option(
        None, "--learner-id", help="Learner id to store the record under (default: the id in the file)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the record and the report as JSON."),
) -> None:
    """Import one learner record and print every accepted item and every rejected one."""
    import json

    from advisor.errors import AdvisorError
    from advisor.ingest.records import import_record_file, report_lines, summarize_import

    try:
        require_file(file, "Record file", RECORD_FILE)
        result = import_record_file(
            file, learner_id=learner_id, knowledge_base_dir=get_settings().knowledge_base_dir
        )
    except AdvisorError as error:
        typer.echo(f"Error: {error}", err=True)
        raise typer.Exit(1) from error
    if as_json:
        typer.echo(json.dumps(summarize_import(result), indent=2, ensure_ascii=False))
    else:
        typer.echo("\n".join(report_lines(result)))


@app.command("serve")
def serve_command(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8000, "--port", min=0, max=65535, help="TCP port to listen on; 0 picks a free one."),
) -> None:
    """Serve the HTTP API, the chat widget and the copilot page with uvicorn."""
    import uvicorn

    from advisor.api import create_app
    from advisor.errors import AdvisorError

    try:
        application = create_app(get_settings())
    except AdvisorError as error:
        typer.echo(f"Error: {error}", err=True)
        raise typer.Exit(1) from error
    show_server_logs()
    uvicorn.run(application, host=host, port=port, log_config=None)


def show_server_logs() -> None:
    """Log requests and server events at ADVISOR_LOG_LEVEL (INFO by default), unless -v chose DEBUG."""
    if logging.getLogger().level <= logging.DEBUG:
        return
    level = log_level_named(get_settings().log_level)
    own_loggers.names.add("uvicorn")
    for name in ("advisor", "uvicorn"):
        logging.getLogger(name).setLevel(level)


@app.command("token")
def token_command(
    learner: str | None = typer.Option(None, "--learner", help="Mint a learner token for this learner id."),
    advisor_id: str | None = typer.Option(None, "--advisor", help="Mint an advisor token for this advisor id."),
    admin_id: str | None = typer.Option(None, "--admin", help="Mint an admin token for this admin id."),
    minutes: int | None = typer.Option(
        None, "--minutes", min=1, help="Lifetime in minutes (default: ADVISOR_LEARNER_TOKEN_MINUTES or ADVISOR_STAFF_TOKEN_MINUTES)."
    ),
) -> None:
    """Print a bearer token signed with ADVISOR_TOKEN_SECRET, for development and scripts."""
    from advisor.api.auth import Role, mint_token
    from advisor.errors import AdvisorError

    chosen = [(role, subject) for role, subject in ((Role.LEARNER, learner), (Role.ADVISOR, advisor_id), (Role.ADMIN, admin_id)) if subject]
    if len(chosen) != 1:
        typer.echo("Error: give exactly one of --learner, --advisor or --admin.", err=True)
        raise typer.Exit(2)
    role, subject = chosen[0]
    try:
        typer.echo(mint_token(get_settings(), subject, role, minutes))
    except AdvisorError as error:
        typer.echo(f"Error: {error}", err=True)
        raise typer.Exit(1) from error


@app.command("chat")
def chat_command(
    record: Path | None = typer.Option(
        None, "--record", help="Learner record file to advise on (default: none, a cold start)."
    ),
    learner_id: str | None = typer.Option(
        None, "--learner-id", help="Learner id to talk as (default: the id in the record, else local-learner)."
    ),
) -> None:
    """Talk with the advisor in the terminal: offline by default, under the chat model when a key is set."""
    import sys

    from advisor.chat.terminal import run_terminal_chat
    from advisor.errors import AdvisorError

    if record is not None:
        try:
            require_file(record, "--record", RECORD_FILE)
        except AdvisorError as error:
            typer.echo(f"Error: {error}", err=True)
            raise typer.Exit(1) from error

    def write(text: str) -> None:
        typer.echo(text, nl=False)

    raise typer.Exit(run_terminal_chat(record, learner_id, sys.stdin, write))


@app.command("eval")
def eval_command(
    dataset: Path = typer.Option(
        Path("evals/personas"), "--dataset", help="Folder of persona case folders (see evals/README.md)."
    ),
    out: Path | None = typer.Option(
        None, "--out", help="Folder for report.md, results.json and plots (default: evals/results/<timestamp>)."
    ),
    limit: int | None = typer.Option(None, "--limit", min=1, help="Run only the first N cases, by id."),
    llm: bool = typer.Option(
        False, "--llm", help="Run the chat turns through the chat model; needs ADVISOR_OPENAI_API_KEY."
    ),
) -> None:
    """Run the evaluation set for the product and a naive RAG baseline, and write a report."""
    from advisor.errors import AdvisorError
    from advisor.evals.report import summary_table, write_report
    from advisor.evals.runner import EvalOptions, run_evaluation
    from advisor.ingest.knowledge_base import load_knowledge_base

    settings = get_settings()
    if llm and settings.openai_api_key is None:
        typer.echo("Error: --llm needs an API key. Set ADVISOR_OPENAI_API_KEY, or run without --llm.", err=True)
        raise typer.Exit(2)
    if dataset.is_file():
        typer.echo(
            f"Error: --dataset {str(dataset)!r} is a file, but a folder of persona case folders is needed. "
            "Pass a folder such as evals/personas.",
            err=True,
        )
        raise typer.Exit(2)
    folder = out or Path("evals/results") / datetime.now().strftime("%Y%m%d-%H%M%S")
    try:
        evaluation = run_evaluation(EvalOptions(dataset=dataset, limit=limit, use_llm=llm, settings=settings))
    except AdvisorError as error:
        typer.echo(f"Error: {error}", err=True)
        raise typer.Exit(1) from error
    kb, _reports = load_knowledge_base(settings.knowledge_base_dir)
    report = write_report(evaluation, folder, {item_id: item.title for item_id, item in kb.credentials.items()})
    typer.echo(summary_table(evaluation["summary"]))
    typer.echo(f"Report: {report}")


def main() -> None:
    """Run the command line."""
    app()


if __name__ == "__main__":
    main()
