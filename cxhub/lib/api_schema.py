"""What the OpenAPI schema says about every operation's refusals.

drf-spectacular documents the answers a view declares; the refusals every view shares (bad input, not
signed in, not allowed, no such object or page, throttled) are added here, once, so a client (and
schemathesis in the suite) knows every status an operation can answer.
"""

from typing import Any

ERROR = {
    "type": "object",
    "description": "`detail` says what is wrong; a refused field is named with a list of its problems.",
    "properties": {"detail": {"type": "string"}},
    "additionalProperties": True,
}
METHODS = ("get", "post", "put", "patch", "delete")


def document_refusals(result: dict[str, Any], generator, request, public) -> dict[str, Any]:
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR
    for path, item in result.get("paths", {}).items():
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            for status, description in _refusals(path, method, operation).items():
                answer = operation["responses"].setdefault(str(status), {"description": description})
                answer.setdefault("content", {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}})
    return result


def _refusals(path: str, method: str, operation: dict[str, Any]) -> dict[int, str]:
    parameters = operation.get("parameters", [])
    signed_in = operation.get("security") != [] and operation.get("security") != [{}]
    refusals = {}
    if "requestBody" in operation or any(p.get("in") in ("query", "header") for p in parameters):
        refusals[400] = "Bad input: what is wrong, field by field."
    if signed_in:
        refusals[401] = "Not signed in: no session or token, or a token that is not valid."
        refusals[403] = "Your role (or department) may not do this."
    if "{" in path or any(p.get("name") == "page" for p in parameters):
        refusals[404] = "No such object (or page)."
    if method == "post" and not signed_in:
        refusals[429] = "Too many attempts: wait a minute."
    return refusals
