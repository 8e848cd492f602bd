"""Catalog routes: search credentials and read one."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.concurrency import run_in_threadpool

from advisor.api.deps import CallerDep, ServicesDep
from advisor.api.errors import ApiError, not_found
from advisor.api.schemas import CatalogHitPublic, CatalogSearchPublic
from advisor.domain import Credential
from advisor.index.search import MAX_LIMIT

router = APIRouter(prefix="/v1/catalog", tags=["catalog"])


@router.get("/search")
async def search_catalog(
    caller: CallerDep,
    services: ServicesDep,
    q: Annotated[str, Query(min_length=1, max_length=500, description="Words to search for.")],
    limit: Annotated[int, Query(ge=1, le=min(MAX_LIMIT, 100))] = 10,
    kind: Annotated[str | None, Query(description="Credential kind, such as course or certificate.")] = None,
) -> CatalogSearchPublic:
    """Search the catalog by meaning and by words, fused into one ranking."""
    if not q.strip():
        raise ApiError(422, "invalid_input", "The query 'q' is blank. Give some words to search for.")
    if services.search is None or services.index is None:
        raise ApiError(503, "index_unavailable", "The catalog index is not open. Run 'advisor index' and restart.")
    if await run_in_threadpool(indexed_credentials, services) == 0:
        raise ApiError(503, "index_unavailable", "The catalog index is empty. Run 'advisor index' to build it.")
    filters = {"kind": kind} if kind else None
    hits = await run_in_threadpool(services.search.search, q, "credentials", limit, filters)
    return CatalogSearchPublic(query=q, hits=[hit_public(services, hit.id, hit.score, hit.metadata) for hit in hits])


@router.get("/credentials/{credential_id:path}")
async def read_credential(credential_id: str, caller: CallerDep, services: ServicesDep) -> Credential:
    """Return one credential of the catalog."""
    credential = services.knowledge.credentials.get(credential_id)
    if credential is None:
        raise not_found(f"No credential {credential_id!r} in the catalog. Search for it with /v1/catalog/search.")
    return credential


def indexed_credentials(services) -> int:  # type: ignore[no-untyped-def]
    """Return how many credentials the index holds."""
    from advisor.index.store import CollectionKind

    return services.index.collection(CollectionKind.CREDENTIALS).count()


def hit_public(services, credential_id: str, score: float, metadata: dict) -> CatalogHitPublic:  # type: ignore[no-untyped-def]
    """Describe a hit from the knowledge base, falling back to the index metadata."""
    credential = services.knowledge.credentials.get(credential_id)
    if credential is None:
        return CatalogHitPublic(id=credential_id, title=str(metadata.get("title") or credential_id), score=score)
    return CatalogHitPublic(
        id=credential.id,
        title=credential.title,
        provider=credential.provider,
        kind=credential.kind.value,
        url=str(credential.url) if credential.url else None,
        hours=credential.hours,
        cost=credential.cost,
        currency=credential.currency,
        score=score,
    )
