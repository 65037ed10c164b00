"""Custom schemathesis check: every 4xx answer of this service is a documented error body.

The REST door answers RFC 9457 problem+json. The OpenAI-compatible door (/openai/v1) answers
OpenAI's own error envelope by design ({"error": {"message", "type", ...}}), so clients written
for OpenAI can read it.
"""
import json
import re

import schemathesis
from schemathesis.transport.serialization import serialize_binary


def _body(response):
    try:
        return json.loads(response.content)
    except ValueError as error:
        raise AssertionError(f"{response.status_code} body is not JSON: {error}") from error


@schemathesis.check
def problem_json_for_4xx(ctx, response, case):
    """A 4xx carries problem+json (type, title, status) or, under /openai/, OpenAI's error envelope."""
    if not 400 <= response.status_code < 500 or case.method.upper() == "HEAD":
        return None  # HEAD answers carry no body by definition.
    content_type = ",".join(response.headers.get("content-type", []))
    if case.path.startswith("/openai/"):
        if "application/json" not in content_type:
            raise AssertionError(f"{response.status_code} with content-type {content_type!r}, expected application/json")
        error = _body(response).get("error")
        if not isinstance(error, dict) or not isinstance(error.get("message"), str) or not isinstance(error.get("type"), str):
            raise AssertionError(f"{response.status_code} body is not an OpenAI error envelope")
        return None
    if "application/problem+json" not in content_type:
        raise AssertionError(f"{response.status_code} with content-type {content_type!r}, expected application/problem+json")
    body = _body(response)
    missing = [key for key in ("type", "title", "status") if key not in body]
    if missing:
        raise AssertionError(f"{response.status_code} problem body lacks {missing}")
    if body["status"] != response.status_code:
        raise AssertionError(f"problem status {body['status']} differs from HTTP status {response.status_code}")
    return None


# Why a request the document calls valid may still be refused with 400: it conflicts with what is
# stored or loaded, or with a rule JSON Schema cannot state. schemathesis.toml lets 400 through
# positive_data_acceptance; this check then holds every such 400 to one of these reasons, so a
# constraint the document could declare but does not still fails the run.
# DATA_LOSS: a snapshot upload whose checksums or trailer do not verify (docs/API.md, "Snapshots").
_STATE_FAILURE_CODES = {"FAILED_PRECONDITION", "failed_precondition", "DATA_LOSS"}
_INEXPRESSIBLE = [
    (r"expected \d+ dimensions, got \d+", "the collection's vector_dim"),
    (r"\bbytes\b", "a limit in UTF-8 bytes (JSON Schema counts characters)"),
    (r"duplicate of", "ids distinct within one write"),
    (r"all-zero vector", "a COSINE collection's non-zero vectors"),
    (r"nests deeper than", "metadata nesting, counted over objects and arrays"),
    (r"keys __proto__ and constructor\.prototype", "the JSON parser's prototype guard below a free-form object's own keys"),
    (r"not a page token of this service|the token belongs to", "a page token issued by an earlier page of the same listing"),
    (r"is an alias; an alias must name a collection", "an alias's target is a collection, not another alias"),
    (r"not bound to an embedding model", "whether the collection is bound to an embedding model"),
    (r"the dimension of embedding model", "the bound model's dimension"),
    (r"must be an integer in topk\.\.", "rerank candidates of at least topk (a rule between two fields' values)"),
]
# Fields whose rules belong to the engine or the model provider in use (documented per engine and
# provider in docs/API.md and docs/MODELS.md), or to the filter language below its first level.
# A snapshot upload's content (magic, frames, checksums, Arrow chunks): bytes no JSON Schema describes.
_FILE_CONTENT_FIELDS = re.compile(r"^snapshot\b")
_ENGINE_OR_PROVIDER_FIELDS = re.compile(r"^(index_params\.params|config\.parameters|config\.model_id|options\.filter|filter|dimensions)\b")


def _violations(body):
    """(field, message) pairs of a problem+json or an OpenAI error body."""
    if isinstance(body.get("error"), dict):
        error = body["error"]
        return error.get("code"), [(error.get("param") or "", error.get("message") or "")]
    return body.get("code"), [(v.get("field", ""), v.get("message", "")) for v in body.get("errors") or []] or [("", body.get("detail", ""))]


@schemathesis.check
def schema_valid_400_is_state_dependent(ctx, response, case):
    """A schema-valid request answered 400 names a reason the document cannot state (see above)."""
    meta = case.meta
    if response.status_code != 400 or meta is None or not meta.generation.mode.is_positive:
        return None
    if case.method.upper() == "HEAD":
        raise AssertionError("HEAD answered 400 to a schema-valid request; HEAD carries no reason, so none can be state-dependent")
    code, violations = _violations(_body(response))
    if code in _STATE_FAILURE_CODES:
        return None
    for field, message in violations:
        if _ENGINE_OR_PROVIDER_FIELDS.match(field) or _FILE_CONTENT_FIELDS.match(field):
            continue
        if any(re.search(pattern, message) for pattern, _ in _INEXPRESSIBLE):
            continue
        raise AssertionError(f"schema-valid request refused: {field or '(request)'}: {message} — declare this rule in the OpenAPI document, or fix the server")
    return None


@schemathesis.serializer("application/vnd.taishang.snapshot")
def snapshot_file(ctx, value):
    """A snapshot upload is bytes on the wire, as application/octet-stream's are."""
    return {"data": serialize_binary(value)}
