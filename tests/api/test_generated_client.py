"""Partners generate clients from the committed contract (api.md "Contract"): openapi-python-client
makes one from openapi/openapi.json with no warning, with every operation and every documented
response, and a small citizen app written with it (docs/examples/citizen_client.py) works
against the app."""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any
from uuid import UUID

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncConnection

from tests.fixtures.citizen import open_clinic

ROOT = Path(__file__).resolve().parents[2]
DOCUMENT = ROOT / "openapi" / "openapi.json"
CONFIG = ROOT / "openapi" / "openapi-python-client.yaml"
EXAMPLE = ROOT / "docs" / "examples" / "citizen_client.py"
PACKAGE = "careinbox_client"


class Generated:
    def __init__(self, root: Path, output: str) -> None:
        self.root, self.output = root, output

    @property
    def package(self) -> Path:
        return self.root / PACKAGE


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Generated]:
    """One run of the generator (a few seconds) for the whole module, as a partner would run it."""
    root = tmp_path_factory.mktemp("client")
    cli = Path(sys.executable).with_name("openapi-python-client")
    args = ["generate", "--path", str(DOCUMENT), "--config", str(CONFIG), "--meta", "none"]
    run = subprocess.run(  # noqa: S603 - our own venv's generator on our own document
        [str(cli), *args, "--output-path", str(root / PACKAGE)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = run.stdout + run.stderr
    assert run.returncode == 0, output
    sys.path.insert(0, str(root))
    try:
        yield Generated(root, output)
    finally:
        sys.path.remove(str(root))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
            del sys.modules[name]


def test_the_generator_warns_about_nothing(generated: Generated) -> None:
    """A warning means a piece the generator left out (an operation, a response or a model)."""
    lines = [line for line in generated.output.splitlines() if line.strip()]
    assert lines == [f"Generating {generated.package}"], generated.output


def _module_name(tag: str) -> str:
    return re.sub(r"\W+", "_", tag.lower()).strip("_")


def test_every_operation_and_every_response_is_in_the_client(generated: Generated) -> None:
    doc: dict[str, Any] = json.loads(DOCUMENT.read_text(encoding="utf-8"))
    missing = []
    for path, item in doc["paths"].items():
        for method, op in item.items():
            module = generated.package / "api" / _module_name(op["tags"][0]) / f"{op['operationId']}.py"
            if not module.exists():
                missing.append(f"{method.upper()} {path}: no {module.name}")
                continue
            source = module.read_text(encoding="utf-8")
            for code in op["responses"]:
                if f"response.status_code == {code}:" not in source:
                    missing.append(f"{method.upper()} {path}: response {code}")
    assert missing == []


def _example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("citizen_client_example", EXAMPLE)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


async def test_the_citizen_example_sends_a_case_and_reads_the_answer(
    generated: Generated, client: httpx.AsyncClient, conn: AsyncConnection
) -> None:
    example = _example()
    from careinbox_client import AuthenticatedClient
    from careinbox_client.api.cases import assign_case, send_case_message
    from careinbox_client.models import (
        AssigneeIn,
        AssigneeInType,
        AssignmentIn,
        CaseSummary,
        Message,
        MessageIn,
        MessageInKind,
    )

    setup = await open_clinic(client, conn, {"rita": ["case_receiver", "case_handler"]})
    app = {"transport": client._transport}  # the app in this test's transaction, no server
    unit, case_type = UUID(setup.unit_id), UUID(setup.case_type_id)
    rita_id = setup.clinic["rita"].staff_id
    assert rita_id

    async with await example.sign_in("http://test", **app) as tolvan:
        case_id = await example.send_case(tolvan, unit, case_type, "Jag behöver förnya mitt recept.")
        assert await example.read_answer(tolvan, case_id) is None

        rita = AuthenticatedClient(base_url="http://test", token=setup.clinic["rita"].token, httpx_args=app)
        async with rita:
            to_herself = AssignmentIn(assignee=AssigneeIn(id=UUID(rita_id), type_=AssigneeInType.STAFF))
            assigned = await assign_case.asyncio(unit, case_id, client=rita, body=to_herself)
            assert isinstance(assigned, CaseSummary), assigned
            body = MessageIn(kind=MessageInKind.ANSWER, body="Receptet är förnyat och finns på apoteket.")
            sent = await send_case_message.asyncio(unit, case_id, client=rita, body=body)
            assert isinstance(sent, Message), sent

        answer = await example.read_answer(tolvan, case_id)
    assert answer is not None and answer.startswith("Receptet är förnyat och finns på apoteket.")
