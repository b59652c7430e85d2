"""Unit statistics (api.md `GET /units/{unit_id}/statistics`): the figures a clinic manager
asks for, as JSON or as CSV for Swedish Excel. Definitions: app/domain/statistics.py.

The figures name no citizen and show no case content, so reading them writes no PDL event.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from datetime import date, datetime
from typing import Any
from urllib.parse import quote
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncConnection

from app.db.repos import statistics as repo
from app.domain.calendar import STOCKHOLM
from app.domain.categories import Category, label
from app.domain.errors import NotFound
from app.domain.statistics import Period, iso_week, period, share
from app.services.audit_log import _csv_cell

CSV_COLUMNS = (
    "group",
    "key",
    "label",
    "received",
    "closed",
    "answered_within_deadline",
    "answered_within_deadline_of",
    "answered_within_deadline_share",
    "median_first_response_minutes",
)


def _figures() -> dict[str, Any]:
    return {
        "received": 0,
        "closed": 0,
        "answered_within_deadline": {"count": 0, "of": 0, "share": None},
        "median_first_response_minutes": None,
    }


def _add(target: dict[str, Any], row: dict[str, Any]) -> None:
    if row["measure"] == "closed":
        target["closed"] = row["n"]
        return
    target["received"] = row["n"]
    within, settled = row["within_deadline"], row["settled"]
    target["answered_within_deadline"] = {"count": within, "of": settled, "share": share(within, settled)}
    median = row["median_minutes"]
    target["median_first_response_minutes"] = round(float(median), 1) if median is not None else None


def _categories(found: dict[str | None, dict[str, Any]]) -> list[dict[str, Any]]:
    """Every category of the fixed list, in its order (a chart keeps its bars), then cases of a
    case type without a category, if any."""
    out = [{"category": c.value, "label": label(c.value), **found.get(c.value, _figures())} for c in Category]
    known = {c.value for c in Category}
    out += [{"category": k, "label": label(k), **v} for k, v in found.items() if k not in known]
    return out


async def unit_statistics(
    conn: AsyncConnection, unit_id: UUID, first: date | None, last: date | None
) -> dict[str, Any]:
    p = period(first, last, datetime.now(STOCKHOLM).date())
    total = _figures()
    categories: dict[str | None, dict[str, Any]] = {}
    case_types: dict[UUID, dict[str, Any]] = {}
    weeks = {monday: _figures() for monday in p.weeks()}
    for row in await repo.figures(conn, unit_id, p.start, p.end):
        if row["per_category"]:
            target = categories.setdefault(row["category"], _figures())
        elif row["per_case_type"]:
            if row["case_type_id"] is None:  # only outbound cases lack one, and they do not count
                continue
            target = case_types.setdefault(
                row["case_type_id"],
                {
                    "case_type": {
                        "id": row["case_type_id"],
                        "name": row["case_type_name"],
                        "category": row["case_type_category"],
                    },
                    **_figures(),
                },
            )
        elif row["per_week"]:
            target = weeks[row["week"]]
        else:
            target = total
        _add(target, row)
    return {
        "unit_id": unit_id,
        "from": p.first,
        "to": p.last,
        **total,
        "by_category": _categories(categories),
        "by_case_type": sorted(
            case_types.values(), key=lambda t: (t["case_type"]["name"], str(t["case_type"]["id"]))
        ),
        "by_week": [{"week": iso_week(m), "starts_on": m, **f} for m, f in weeks.items()],
    }


# --- CSV ------------------------------------------------------------------------------------


def _decimal(value: float | None) -> str:
    # Swedish Excel reads "0,85" as a number with `;` as the separator; "0.85" would be text.
    return "" if value is None else str(value).replace(".", ",")


def _row(group: str, key: str, name: str, f: dict[str, Any]) -> list[str]:
    answered = f["answered_within_deadline"]
    return [
        group,
        _csv_cell(key),
        _csv_cell(name),
        str(f["received"]),
        str(f["closed"]),
        str(answered["count"]),
        str(answered["of"]),
        _decimal(answered["share"]),
        _decimal(f["median_first_response_minutes"]),
    ]


def as_csv(stats: dict[str, Any], unit_name: str) -> str:
    """The same figures, one row per group (`total`, `category`, `case_type`, `week`), with a
    header row; `;` separated, decimal comma, CRLF. The caller adds the BOM."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerow(_row("total", "", unit_name, stats))
    for c in stats["by_category"]:
        writer.writerow(_row("category", c["category"] or "", c["label"] or "", c))
    for t in stats["by_case_type"]:
        writer.writerow(_row("case_type", str(t["case_type"]["id"]), t["case_type"]["name"], t))
    for w in stats["by_week"]:
        writer.writerow(_row("week", w["week"], w["starts_on"].isoformat(), w))
    return out.getvalue()


def _ascii(text: str) -> str:
    """'Vårdcentralen Norrmalm' → 'Vardcentralen-Norrmalm': for the plain `filename`."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]+", "-", plain).strip("-") or "enhet"


def content_disposition(unit_name: str, p: Period) -> str:
    """RFC 6266: an ASCII `filename` for old clients and the exact one as `filename*` (RFC 8187)."""
    period_part = f"{p.first.isoformat()}_{p.last.isoformat()}"
    exact = re.sub(r"[\s/\\\"';]+", "-", unit_name.strip()) or "enhet"
    fallback = f"statistik-{_ascii(unit_name)}-{period_part}.csv"
    encoded = quote(f"statistik-{exact}-{period_part}.csv")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"


async def unit_statistics_csv(
    conn: AsyncConnection, unit_id: UUID, first: date | None, last: date | None
) -> tuple[str, bytes]:
    """(Content-Disposition, body): UTF-8 with a BOM, so Excel opens å, ä and ö right."""
    names = await repo.unit_names(conn, unit_id)
    if names is None:
        raise NotFound("unit not found")
    stats = await unit_statistics(conn, unit_id, first, last)
    p = Period(stats["from"], stats["to"])
    body = "\ufeff" + as_csv(stats, names["name"])
    return content_disposition(names["name"], p), body.encode()
