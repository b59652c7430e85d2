"""Schemathesis over every operation, in-process: no 5xx and every response matches the schema.

The run gets its own migrated database loaded with the demo data (app/demo/), and the app
starts through its real lifespan. Every generated request goes out as the system admin, the
demo local admin, the demo receiver+handler, a citizen, and anonymously; path ids are often
swapped for real demo ids so the generated requests reach data, not only 404s.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from jose import jwt
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.config import SchemathesisConfig
from schemathesis.python.asgi import shutdown_lifespans
from sqlalchemy import text
from sqlalchemy.engine import make_url

from app.config import Settings
from app.db.engine import Database, create_engine
from app.db.migrations import upgrade_to_head
from app.db.repos import people
from app.demo.identities import CITIZENS, SYSTEM_ADMIN
from app.demo.load import load_demo
from app.identity.ports import DirectoryPerson
from app.identity.tokens import TokenService
from app.main import create_app

# Bounded so the whole module stays well under a minute on two shared cores; raise it for a
# deeper hunt: SCHEMATHESIS_MAX_EXAMPLES=100 pytest tests/api/test_schemathesis.py
MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "6"))
LOCAL_ADMIN = "SE2321000131-P000000000004"  # demo local admin at both units
RECEIVER_HANDLER = "SE2321000131-P000000000003"  # demo receiver + handler at the north unit
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def _admin_sql(url: str, sql: str) -> None:
    async def run() -> None:
        engine = create_engine(url, isolation_level="AUTOCOMMIT", pool_size=1)
        async with engine.connect() as conn:
            await conn.execute(text(sql))
        await engine.dispose()

    asyncio.run(run())


async def _identities(url: str, s: Settings) -> tuple[dict[str, Any], dict[str, dict[str, str]]]:
    ids = await load_demo(url, s)
    tokens = TokenService(s.token_signing_key, s.token_issuer, 3600)
    engine = create_engine(url, pool_size=1)
    headers: dict[str, dict[str, str]] = {"anonymous": {}}
    async with Database(engine).transaction() as conn:
        for name, hsa_id in (
            ("system", SYSTEM_ADMIN),
            ("admin", LOCAL_ADMIN),
            ("staff", RECEIVER_HANDLER),
        ):
            staff_id = await people.staff_id_by_hsa(conn, hsa_id)
            if staff_id is None:
                person = DirectoryPerson(hsa_id, "System", "Administrator", "", None, None, False)
                staff_id = await people.upsert_staff_from_directory(conn, person)
            headers[name] = {"Authorization": f"Bearer {tokens.issue('staff', staff_id)}"}
        pnr = CITIZENS[0]["personal_number"]
        citizen_id = (
            await conn.execute(text("SELECT id FROM citizens WHERE personal_number = :p"), {"p": pnr})
        ).scalar()
        headers["citizen"] = {"Authorization": f"Bearer {tokens.issue('citizen', citizen_id)}"}
    await engine.dispose()
    return ids, headers


CONFIG = SchemathesisConfig.from_dict(
    {"phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}}}
)
# The document is taken from create_app() at import (no database needed); the calls go to an app
# built in the fixture, through schemathesis' ASGI transport, which runs the app's lifespan.
# The live stream never ends by itself and the in-process transport buffers a whole response,
# so it is left out here; tests/events/test_stream.py calls it on a real server, errors included.
schema = schemathesis.openapi.from_dict(create_app().openapi(), config=CONFIG).exclude(
    path="/api/v1/units/{unit_id}/cases/stream"
)
REAL_IDS: list[str] = []


@schema.hook
def flatmap_path_parameters(context: Any, path_parameters: dict[str, Any]) -> Any:
    # Often an id is one that exists, so requests get past the 404 to the code behind it.
    keys = [k for k in path_parameters or {} if k.endswith("id")]
    if not keys or not REAL_IDS:
        return st.just(path_parameters)
    swaps = [{}, *({k: i} for k in keys for i in REAL_IDS)]
    return st.sampled_from(swaps).map(lambda swap: {**path_parameters, **swap})


@dataclass
class FuzzTarget:
    app: Any
    identities: dict[str, dict[str, str]]
    tokens: TokenService

    def fresh(self, who: str) -> dict[str, str]:
        """A new token for one of the identities (its `sub`), to spend on signing out."""
        old = self.identities[who]["Authorization"].removeprefix("Bearer ")
        subject = uuid.UUID(jwt.get_unverified_claims(old)["sub"])
        kind = "citizen" if who == "citizen" else "staff"
        return {"Authorization": f"Bearer {self.tokens.issue(kind, subject)}"}


@pytest.fixture(scope="module")
def target(database_url: str, settings: Settings) -> Iterator[FuzzTarget]:
    name = f"careinbox_fuzz_{uuid.uuid4().hex[:10]}"
    _admin_sql(database_url, f'CREATE DATABASE "{name}"')
    url = make_url(database_url).set(database=name).render_as_string(hide_password=False)
    upgrade_to_head(url)
    s = settings.model_copy(update={"database_url": url, "bootstrap_system_admins": [SYSTEM_ADMIN]})
    ids, identities = asyncio.run(_identities(url, s))
    REAL_IDS[:] = [str(v) for v in ids.values() if isinstance(v, uuid.UUID)]
    tokens = TokenService(s.token_signing_key, s.token_issuer, 3600)
    yield FuzzTarget(create_app(s), identities, tokens)
    REAL_IDS.clear()
    shutdown_lifespans()  # the app's lifespan disposes its engine before the database goes
    _admin_sql(database_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_api(case: Any, target: FuzzTarget) -> None:
    identities = list(target.identities.values())
    if case.path.endswith("/auth/logout"):
        # Signing out with the shared identities would revoke them for every later operation.
        identities = [{}, target.fresh("staff"), target.fresh("citizen")]
    for headers in identities:
        case.call_and_validate(app=target.app, headers=headers, checks=CHECKS)
