"""Worker process: parse guides and write their records as JSON.

    python -m pipeline.run.worker --serve   `ready` once imported, then one request per stdin line, one response per stdout line:
                                        `0 <Parsed JSON>` or `3 <{"error": {...}}>`
    python -m pipeline.run.worker           one request on stdin, the Parsed JSON on stdout (exit 0), or
                                        {"error": {"reason", "error_class", "message"}} (exit 3)

Parsed (pipeline/run/store.py) carries the record file's final text: the worker, not the run,
serialises the record.

A request is {"path": ..., "root": ..., "max_pages": ..., "fault": null}. Run by
pipeline/run/isolate.py under a time and a memory limit; the serving worker imports the extractors
once. A MemoryError is reported as MEMORY_LIMIT. `"fault": "hang"` (from ZHINAN_WORKER_FAULT in
the parent) makes the worker hang before parsing: a test hook for the time limit (pdfminer's real
hang bugs cannot be reproduced on demand).
"""
from __future__ import annotations

import json
import sys
import time
import traceback


def handle(req: dict) -> tuple[int, str]:
    """(0, Parsed JSON) or (3, error JSON) for one request."""
    if req.get("fault") == "hang":
        while True:
            time.sleep(3600)
    from pathlib import Path

    from extractors.document import build_guide, load
    from extractors.errors import IngestError
    from pipeline.run.store import Parsed

    def fail(reason: str, exc: BaseException, message: str) -> tuple[int, str]:
        # ASCII-escaped: a message may quote a file name that holds undecodable bytes (surrogates)
        return 3, json.dumps({"error": {"reason": reason, "error_class": type(exc).__name__, "message": message}})

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
    return 0, Parsed.of(guide).to_json()


def serve() -> int:
    import extractors.document  # noqa: F401  (imports paid once, before the first document)
    import pipeline.run.store  # noqa: F401

    sys.stdout.write("ready\n")  # the run starts a document's clock from here
    sys.stdout.flush()
    for line in sys.stdin:
        if not line.strip():
            continue
        code, payload = handle(json.loads(line))
        sys.stdout.write(f"{code} {payload}\n")
        sys.stdout.flush()
    return 0  # stdin closed: the run that started this worker is gone


def main() -> int:
    if "--serve" in sys.argv[1:]:
        return serve()
    code, payload = handle(json.loads(sys.stdin.read()))
    sys.stdout.write(payload)
    return code


if __name__ == "__main__":
    sys.exit(main())
