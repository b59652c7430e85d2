"""The app under uvicorn on loopback, for the benchmark: `python -m bench.server URL PORT`.

One worker process, the production code path (JSON logs included, to /dev/null by the caller).
"""

from __future__ import annotations

import sys

import uvicorn

from app.config import Settings
from app.main import create_app


def main(url: str, port: int) -> None:
    settings = Settings(app_env="dev", database_url=url, log_json=True)
    uvicorn.run(
        create_app(settings),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
    )


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
