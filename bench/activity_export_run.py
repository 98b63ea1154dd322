"""Run one export the way the Celery task does, in its own process, and print
its wall time, rows and peak memory (RSS) as JSON.

Usage: .venv/bin/python bench/activity_export_run.py EXPORT_ID [--python-rendering]
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pingid_portal.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-key")

import django


def main() -> None:
    django.setup()
    from activity import export_runs
    from activity.export_runs import Claim, export_claim, export_run
    from activity.exports import export_write
    from activity.models import Export

    export_id = int(sys.argv[1])
    if "--python-rendering" in sys.argv:
        export_runs.export_write = lambda *args: export_write(
            *args, database_rendering=False
        )  # type: ignore[assignment]
    started = time.monotonic()
    assert export_claim(export_id) is Claim.CLAIMED
    export_run(export_id)
    seconds = time.monotonic() - started
    export = Export.objects.get(pk=export_id)
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "status": export.status,
                "error": export.error,
                "rows": export.rows_written,
                "seconds": seconds,
                "peak_rss_mib": peak_kib / 1024,
            }
        )
    )


if __name__ == "__main__":
    main()
