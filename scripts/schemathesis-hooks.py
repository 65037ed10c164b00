"""Custom schemathesis check: every 4xx answer of this service is a documented error body.

The REST door answers RFC 9457 problem+json. The OpenAI-compatible door (/openai/v1) answers
OpenAI's own error envelope by design ({"error": {"message", "type", ...}}), so clients written
for OpenAI can read it.
"""
import json

import schemathesis


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
