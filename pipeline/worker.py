"""Worker process: parse one guide and print its record as JSON on stdout.

    python -m pipeline.worker  < {"path": ..., "root": ..., "max_pages": ...}

Run by pipeline/isolate.py under a time and a memory limit. A bad document is reported as
{"error": {"reason", "error_class", "message"}} with exit code 3; a MemoryError as MEMORY_LIMIT.
`ZHINAN_WORKER_FAULT=hang` makes the worker hang before parsing: a test hook for the time limit
(pdfminer's real hang bugs cannot be reproduced on demand).
"""
from __future__ import annotations

import json
import os
import sys
import time
import traceback


def main() -> int:
    req = json.loads(sys.stdin.read())
    if os.environ.get("ZHINAN_WORKER_FAULT") == "hang":
        while True:
            time.sleep(3600)
    from pathlib import Path

    from extractors.document import build_guide, load
    from extractors.errors import IngestError

    def fail(reason: str, exc: BaseException, message: str) -> int:
        sys.stdout.write(json.dumps({"error": {"reason": reason, "error_class": type(exc).__name__,
                                               "message": message}}, ensure_ascii=False))
        return 3

    try:
        loaded = load(Path(req["path"]), Path(req["root"]) if req.get("root") else None, req["max_pages"])
        guide = build_guide(loaded)
    except IngestError as exc:
        cause = exc.__cause__ or exc
        return fail(exc.reason, cause, exc.message)
    except MemoryError as exc:
        return fail("MEMORY_LIMIT", exc, f"{req['path']}: parsing needed more memory than the worker may use")
    except RecursionError as exc:
        return fail("PARSER_BUG", exc, f"{req['path']}: recursion too deep while parsing")
    except Exception as exc:
        sys.stderr.write(traceback.format_exc())
        return fail("PARSER_BUG", exc, f"{req['path']}: {type(exc).__name__}: {str(exc)[:300]}")
    sys.stdout.write(guide.model_dump_json())
    return 0


if __name__ == "__main__":
    sys.exit(main())
