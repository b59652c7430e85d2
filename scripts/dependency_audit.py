"""`make audit`: known vulnerabilities in the locked dependencies (requirements-dev.txt, which
includes everything in requirements.txt) fail the build.

pip-audit does the work, with PyPI's advisory data (each release's `vulnerabilities`). Accepted
findings live in pip-audit-ignore.toml, each with a reason and an expiry date; an expired one
fails the audit until someone looks again.

Some package indexes (mirrors, such as this project's build machines reach) serve PyPI's
per-project JSON but not the per-release JSON pip-audit asks for, and pip-audit then skips the
package. For a skipped package whose locked version is the project's newest release, the
per-project JSON carries that release's advisories, and they are checked here instead; any
package still unaudited is listed, so the gap is visible rather than silent.
"""

from __future__ import annotations

import datetime
import json
import re
import subprocess
import sys
import tomllib
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "requirements-dev.txt"
IGNORES = ROOT / "pip-audit-ignore.toml"
PYPI = "https://pypi.org/pypi/{name}/json"


def _ignores() -> tuple[set[str], list[str]]:
    """(ids and aliases to ignore, expired entries)."""
    entries = tomllib.loads(IGNORES.read_text()).get("ignore", [])
    ids: set[str] = set()
    expired = []
    today = datetime.date.today()
    for entry in entries:
        if not entry.get("reason") or not isinstance(entry.get("expires"), datetime.date):
            sys.exit(f"{IGNORES.name}: {entry.get('id')} needs a reason and an expires date")
        if entry["expires"] < today:
            expired.append(f"{entry['id']} ({entry['package']}) expired on {entry['expires']}")
        ids |= {entry["id"], *entry.get("aliases", [])}
    return ids, expired


def _locked() -> dict[str, str]:
    pins = re.findall(r"^([A-Za-z0-9._-]+)==([^\s\\;]+)", LOCK.read_text(), re.MULTILINE)
    return {name.lower(): version for name, version in pins}


def _pip_audit(ignored: set[str]) -> dict[str, object]:
    command = [sys.executable, "-m", "pip_audit", "-r", str(LOCK), "--require-hashes", "--disable-pip"]
    command += ["--format", "json", "--progress-spinner", "off"]
    for vuln in sorted(ignored):
        command += ["--ignore-vuln", vuln]
    run = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    if not run.stdout.strip():
        sys.exit(f"pip-audit failed: {run.stderr.strip()}")
    result: dict[str, object] = json.loads(run.stdout)
    return result


def _newest_release_advisories(name: str, version: str) -> list[str] | None:
    """Advisory ids for `version` when it is the newest release, else None (unknown here)."""
    try:
        with urllib.request.urlopen(PYPI.format(name=name), timeout=30) as response:  # noqa: S310
            data = json.load(response)
    except OSError:
        return None
    if data.get("info", {}).get("version") != version:
        return None
    return [
        v["id"] + "".join(f" / {a}" for a in v.get("aliases", []))
        for v in data.get("vulnerabilities", [])
        if not v.get("withdrawn")
    ]


def main() -> int:
    ignored, expired = _ignores()
    if expired:
        print("audit: accepted vulnerabilities past their expiry date:\n  " + "\n  ".join(expired))
        return 1
    locked = _locked()
    report = _pip_audit(ignored)
    found: list[str] = []
    skipped: list[str] = []
    for dep in report.get("dependencies", []):  # type: ignore[union-attr]
        name = str(dep["name"]).lower()
        for vuln in dep.get("vulns", []):
            fixed = vuln.get("fix_versions") or "none"
            found.append(f"{name} {dep['version']}: {vuln['id']} (fixed in {fixed})")
        if "skip_reason" in dep:
            skipped.append(name)
    unaudited: list[str] = []
    with ThreadPoolExecutor(max_workers=8) as pool:
        fallbacks = pool.map(lambda n: _newest_release_advisories(n, locked.get(n, "?")), skipped)
        for name, advisories in zip(skipped, fallbacks, strict=True):
            if advisories is None:
                unaudited.append(f"{name} {locked.get(name, '?')}")
                continue
            for advisory in advisories:
                if not set(advisory.split(" / ")) & ignored:
                    found.append(f"{name} {locked[name]}: {advisory}")
    print(f"audit: {len(locked)} locked packages; accepted: {', '.join(sorted(ignored)) or 'none'}")
    if unaudited:
        print("audit: no advisory data reachable (not the newest release) for " + ", ".join(unaudited))
    if found:
        print("audit: known vulnerabilities:\n  " + "\n  ".join(found))
        print(f"fix them (make lock after raising the bound) or accept them in {IGNORES.name}")
        return 1
    print("audit: no known vulnerabilities")
    return 0


if __name__ == "__main__":
    sys.exit(main())
