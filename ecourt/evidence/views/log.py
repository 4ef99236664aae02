"""The log's public HTTP interface. These paths are a contract (C2SP tlog-tiles and
tlog-checkpoint): unauthenticated, cacheable, plain bytes.

- ``GET /log/checkpoint``: the newest signed checkpoint with the trusted witnesses'
  cosignatures it has (text/plain; cached a few seconds).
- ``GET /log/key``: the log's verifier key string.
- ``GET /log/tile/<L>/<N>[.p/<W>]`` and ``GET /log/tile/entries/<N>[.p/<W>]``: tiles and
  entry bundles; full ones are immutable and cached for a year, partial ones briefly.
- ``GET /log/witnesses``: the trusted witnesses' keys and the k-of-n policy (JSON).
- ``POST /log/cosignature``: a witness posts the checkpoint note with its cosignature line
  (authenticated by the signature itself, so no session and no CSRF token).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from ecourt.core.errors import DomainError
from ecourt.evidence import selectors
from ecourt.evidence.keys import log_verifier
from ecourt.evidence.services.log import checkpoint_cosign
from ecourt.evidence.tlog.tiles import TilePathError, parse_tile_path

IMMUTABLE = "public, max-age=31536000, immutable"
SHORT = "public, max-age=5"
MAX_NOTE_BYTES = 64 * 1024


def _text(body: str | bytes, *, status: int = 200, cache: str | None = SHORT) -> HttpResponse:
    content_type = "text/plain; charset=utf-8"
    response = HttpResponse(body, status=status, content_type=content_type)
    response["Cache-Control"] = cache or "no-store"
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_safe
def checkpoint(request: HttpRequest) -> HttpResponse:
    latest = selectors.checkpoint_latest()
    if latest is None:
        return _text("the log has no checkpoint yet\n", status=404, cache="no-store")
    return _text(selectors.checkpoint_note(latest))


@require_safe
def key(request: HttpRequest) -> HttpResponse:
    return _text(str(log_verifier()) + "\n", cache="public, max-age=3600")


@require_safe
def tile(request: HttpRequest, path: str) -> HttpResponse:
    try:
        wanted = parse_tile_path("tile/" + path)
    except TilePathError as exc:
        return _text(f"bad tile path: {exc}\n", status=400, cache="no-store")
    data = selectors.tile_data(wanted)
    if data is None:
        return _text("no such tile (yet)\n", status=404, cache="no-store")
    response = HttpResponse(data, content_type="application/octet-stream")
    response["Cache-Control"] = SHORT if wanted.is_partial else IMMUTABLE
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_safe
def witnesses(request: HttpRequest) -> HttpResponse:
    response = JsonResponse(selectors.witness_policy())
    response["Cache-Control"] = "public, max-age=60"
    response["Access-Control-Allow-Origin"] = "*"
    return response


@csrf_exempt
@require_POST
def cosignature(request: HttpRequest) -> HttpResponse:
    if len(request.body) > MAX_NOTE_BYTES:
        return _text("the note is too large\n", status=413, cache="no-store")
    try:
        text = request.body.decode("utf-8")
    except UnicodeDecodeError:
        return _text("the note is not UTF-8\n", status=400, cache="no-store")
    try:
        accepted = checkpoint_cosign(signed_note=text)
    except DomainError as exc:
        status = 409 if exc.code == "unknown_checkpoint" else 400
        if exc.code == "no_trusted_cosignature":
            status = 403
        return _text(f"{exc.code}: {exc.message}\n", status=status, cache="no-store")
    names = ", ".join(sorted({c.witness.name for c in accepted}))
    return _text(f"cosigned by {names}\n", cache="no-store")
