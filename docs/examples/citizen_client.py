"""A citizen app with the generated Python client: sign in as the demo citizen Tolvan Tolvansson,
send a case to a unit, and read the clinic's answer.

Generate the client first (it is not committed; it is made from the contract):

    openapi-python-client generate --path openapi/openapi.json \
        --config openapi/openapi-python-client.yaml --meta none --output-path careinbox_client

tests/api/test_generated_client.py generates it and runs these functions against the app.
"""

from __future__ import annotations

import uuid
from typing import Any
from uuid import UUID

from careinbox_client import AuthenticatedClient, Client
from careinbox_client.api.citizen import create_citizen_case, get_citizen_case
from careinbox_client.api.identity import create_citizen_token
from careinbox_client.models import (
    AccessToken,
    CitizenCaseDetail,
    CitizenCaseIn,
    CitizenCaseInAnswers,
    CitizenCredentialsIn,
    MessageKind,
)

TOLVAN = "19121212-1212"  # the demo citizen (app/demo/identities.py); the stub login accepts any form


async def sign_in(base_url: str, personal_number: str = TOLVAN, **httpx_args: Any) -> AuthenticatedClient:
    """The stub identity provider's login; with OIDC, send `id_token` instead."""
    async with Client(base_url=base_url, httpx_args=httpx_args) as anonymous:
        token = await create_citizen_token.asyncio(
            client=anonymous, body=CitizenCredentialsIn(personal_number=personal_number)
        )
    if not isinstance(token, AccessToken):
        raise RuntimeError(f"sign-in refused: {token}")
    return AuthenticatedClient(base_url=base_url, token=token.access_token, httpx_args=httpx_args)


async def send_case(citizen: AuthenticatedClient, unit_id: UUID, case_type_id: UUID, message: str) -> UUID:
    body = CitizenCaseIn(
        unit_id=unit_id,
        case_type_id=case_type_id,
        answers=CitizenCaseInAnswers.from_dict({"medicine": "Levaxin 50 mikrogram"}),
        message=message,
        terms_accepted=True,
    )
    # The same key on a retry (after a timeout) answers the case already created instead of a second.
    case = await create_citizen_case.asyncio(client=citizen, body=body, idempotency_key=str(uuid.uuid4()))
    if not isinstance(case, CitizenCaseDetail):
        raise RuntimeError(f"case refused: {case}")
    return case.id


async def read_answer(citizen: AuthenticatedClient, case_id: UUID) -> str | None:
    """The clinic's answer, once there is one (the case is then closed as answered)."""
    case = await get_citizen_case.asyncio(case_id, client=citizen)
    if not isinstance(case, CitizenCaseDetail):
        raise RuntimeError(f"case not readable: {case}")
    answers = [m.body for m in case.messages if m.kind == MessageKind.ANSWER]
    return answers[-1] if answers else None
