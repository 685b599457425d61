"""The OpenAPI description of `pool serve` (GET /openapi.json), written out by hand:
the endpoints are few and their bodies are the CLI's own documents (docs/serve.md)."""

from __future__ import annotations

from typing import Any

_POLICY = {
    "type": "object",
    "description": "Exactly one of policy (a name from GET /policies) or source (the text of a .pool file).",
    "properties": {
        "policy": {"type": "string"},
        "source": {"type": "string"},
        "lang": {"enum": ["zh", "en"], "default": "zh"},
    },
}
_SCENARIO = {
    "type": "object",
    "description": "A scenario in the scenario-file JSON form (GET /schema gives a policy's schema).",
}
_ERROR = {
    "type": "object",
    "properties": {
        "error": {
            "type": "object",
            "required": ["kind", "message"],
            "properties": {
                "kind": {"enum": ["request", "policy", "scenario", "evaluation", "token", "timeout", "internal"]},
                "message": {
                    "type": "string",
                    "description": "What the CLI prints on standard error, in the request's language.",
                },
                "diagnostics": {
                    "type": "array",
                    "description": "policy: `pool check --format json` items; scenario: field, line, column, message.",
                },
            },
        }
    },
}


def _errors(*codes: int) -> dict[str, Any]:
    return {str(c): {"description": "refused", "content": {"application/json": {"schema": _ERROR}}} for c in codes}


def _post(summary: str, extra: dict[str, Any], answer: str, media: str = "application/json") -> dict[str, Any]:
    schema = {**_POLICY, "properties": {**_POLICY["properties"], **extra}}  # type: ignore[dict-item]
    return {
        "post": {
            "summary": summary,
            "requestBody": {"required": True, "content": {"application/json": {"schema": schema}}},
            "responses": {"200": {"description": answer, "content": {media: {}}}, **_errors(400, 413, 422, 503)},
        }
    }


def document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "pool serve",
            "version": "1",
            "description": "Check, run and explain medical-insurance fund pooling policies.",
        },
        "paths": {
            "/policies": {
                "get": {
                    "summary": "The bundled and configured policies",
                    "responses": {"200": {"description": "name, title, origin, ok, scenarios"}},
                }
            },
            "/policies/{name}": {
                "get": {
                    "summary": "A policy's text and its sample scenarios",
                    "responses": {"200": {"description": "name, source, scenarios"}, **_errors(422)},
                }
            },
            "/check": _post("Check a policy", {}, "ok, diagnostics (as `pool check --format json`), counts"),
            "/run": _post("Settle one period", {"scenario": _SCENARIO}, "exactly what `pool run --json` prints"),
            "/simulate": _post(
                "Several periods, balances carried; or with draws, random futures of a stochastic scenario (base "
                "period inline)",
                {
                    "scenarios": {"type": "array", "items": _SCENARIO},
                    "scenario": _SCENARIO,
                    "draws": {"type": "integer"},
                    "seed": {"type": "integer"},
                    "values": {"type": "array", "items": {"type": "string"}},
                },
                "exactly what `pool simulate --json` prints (with draws: `--draws N --seed S --engine vector --json`)",
            ),
            "/explain": _post(
                "The explainer",
                {
                    "format": {"enum": ["html", "md"], "default": "html"},
                    "audience": {"enum": ["public", "review"], "default": "public"},
                    "appendix": {"type": "boolean", "default": False},
                },
                "the explainer page or Markdown",
                "text/html",
            ),
            "/trace": _post(
                "How one value was computed",
                {"scenario": _SCENARIO, "target": {"type": "string"}},
                "as `pool run --explain 名称@地区` prints it",
                "text/plain",
            ),
            "/schema": _post(
                "The JSON Schema of the policy's scenarios (also GET /schema?policy=NAME)", {}, "a JSON Schema"
            ),
            "/diff": {
                "post": {
                    "summary": "What changed between two versions, and with a scenario what it does to the money",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["old", "new"],
                                    "properties": {
                                        "old": _POLICY,
                                        "new": _POLICY,
                                        "scenario": _SCENARIO,
                                        "format": {"enum": ["json", "md"]},
                                        "lang": {"enum": ["zh", "en"]},
                                    },
                                }
                            }
                        },
                    },
                    "responses": {
                        "200": {"description": "as `pool diff --format json|md`"},
                        **_errors(400, 413, 422, 503),
                    },
                }
            },
            "/import": {
                "post": {
                    "summary": "An uploaded scenario file (?format=json) as a scenario object",
                    "responses": {"200": {"description": "{scenario}"}, **_errors(400, 413, 422)},
                }
            },
        },
        "components": {
            "securitySchemes": {
                "token": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "Required when the server was started with a token.",
                }
            }
        },
    }
