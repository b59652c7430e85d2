"""Staff with protected identity, and staff who chose not to show their name, are never named to
the citizen (domain.md "Staff with protected identity"), end to end: they write to the citizen
through the staff API, and nothing the citizen's API returns afterwards (the case, the case
list, the PDL extract) carries their given or family name anywhere."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from tests.fixtures.citizen import citizen, open_clinic, send_case
from tests.fixtures.clinic import API, Person, add_staff

# Names found nowhere else in the test data, so a match can only be a leak.
SHOWN = {"given": "Viggo", "family": "Synligsson"}
PROTECTED = {"given": "Zelda", "family": "Skyddadsdotter"}
HIDDEN = {"given": "Ylva", "family": "Doldasson"}


def _strings(value: Any) -> Iterator[str]:
    """Every string in a JSON document, keys included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield k
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def _names_in(document: Any, person: dict[str, str]) -> list[str]:
    names = (person["given"].casefold(), person["family"].casefold())
    return [s for s in _strings(document) if any(n in s.casefold() for n in names)]


async def _writes_to_the_citizen(
    client: httpx.AsyncClient, conn: AsyncConnection, unit_id: str, case_id: str, author: Person
) -> None:
    """The case is handed to `author`, who sends a partial reply and notes their own name."""
    await conn.execute(
        text("UPDATE cases SET status = 'assigned', assignee_staff_id = :s WHERE id = :c"),
        {"s": author.staff_id, "c": case_id},
    )
    base = f"{API}/units/{unit_id}/cases/{case_id}"
    r = await client.get(base, headers=author.headers)  # a read: a PDL event the citizen sees
    assert r.status_code == 200, r.text
    r = await client.post(
        f"{base}/messages", headers=author.headers, json={"kind": "partial_reply", "body": "Vi återkommer."}
    )
    assert r.status_code == 201, r.text
    r = await client.post(f"{base}/notes", headers=author.headers, json={"body": f"Internt: {author.hsa_id}"})
    assert r.status_code == 201, r.text


async def test_the_citizen_never_sees_a_hidden_name(client: httpx.AsyncClient, conn: AsyncConnection) -> None:
    setup = await open_clinic(client, conn)
    clinic = setup.clinic
    shown = await add_staff(client, clinic, ["case_handler"], given=SHOWN["given"], family=SHOWN["family"])
    protected = await add_staff(
        client, clinic, ["case_handler"], given=PROTECTED["given"], family=PROTECTED["family"], protected=True
    )
    hidden = await add_staff(client, clinic, ["case_handler"], given=HIDDEN["given"], family=HIDDEN["family"])
    r = await client.patch(
        f"{API}/me/settings", headers=hidden.headers, json={"show_name_to_citizens": False}
    )
    assert r.status_code == 200, r.text
    who = await citizen(client)
    cases = {p.hsa_id: (await send_case(client, who, setup))["id"] for p in (shown, protected, hidden)}
    for author in (shown, protected, hidden):
        await _writes_to_the_citizen(client, conn, clinic.unit_id, cases[author.hsa_id], author)

    seen: dict[str, Any] = {
        "cases": (await client.get(f"{API}/citizen/cases", headers=who.headers)).json(),
        "access_log": (await client.get(f"{API}/citizen/access-log", headers=who.headers)).json(),
    }
    for author in (shown, protected, hidden):
        r = await client.get(f"{API}/citizen/cases/{cases[author.hsa_id]}", headers=who.headers)
        assert r.status_code == 200, r.text
        seen[author.hsa_id] = r.json()
        assert [m["author"]["type"] for m in r.json()["messages"]].count("staff") == 1

    assert _names_in(seen, PROTECTED) == []
    assert _names_in(seen, HIDDEN) == []
    # The walk does find names: the colleague who shows theirs is named in their case (author
    # line and signature) and in the PDL extract.
    assert _names_in(seen[shown.hsa_id], SHOWN)
    assert _names_in(seen["access_log"], SHOWN)
    # The protected colleague's title still tells the citizen who wrote.
    [message] = [m for m in seen[protected.hsa_id]["messages"] if m["author"]["type"] == "staff"]
    assert message["author"]["display_name"].startswith("Sjuksköterska")
