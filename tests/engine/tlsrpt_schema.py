"""RFC 8460 §4.4's report fields written as a JSON Schema (draft 2020-12), strict about names:
every field the RFC requires is required, nothing it does not define is allowed."""

from __future__ import annotations

from typing import Any

from engine.outbound.tlsrpt import POLICY_TYPES, RESULT_TYPES

DATETIME = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$"}
COUNT = {"type": "integer", "minimum": 0}
STRINGS = {"type": "array", "items": {"type": "string"}}

FAILURE: dict[str, Any] = {
    "type": "object",
    "required": ["result-type", "failed-session-count"],
    "additionalProperties": False,
    "properties": {
        "result-type": {"enum": list(RESULT_TYPES)},
        "sending-mta-ip": {"type": "string"},
        "receiving-mx-hostname": {"type": "string"},
        "receiving-mx-helo": {"type": "string"},
        "receiving-ip": {"type": "string"},
        "failed-session-count": COUNT,
        "additional-information": {"type": "string"},
        "failure-reason-code": {"type": "string"},
    },
}

SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["organization-name", "date-range", "contact-info", "report-id", "policies"],
    "additionalProperties": False,
    "properties": {
        "organization-name": {"type": "string", "minLength": 1},
        "date-range": {
            "type": "object", "required": ["start-datetime", "end-datetime"],
            "additionalProperties": False,
            "properties": {"start-datetime": DATETIME, "end-datetime": DATETIME},
        },
        "contact-info": {"type": "string", "minLength": 1},
        "report-id": {"type": "string", "minLength": 1},
        "policies": {
            "type": "array", "minItems": 1,
            "items": {
                "type": "object", "required": ["policy", "summary"],
                "additionalProperties": False,
                "properties": {
                    "policy": {
                        "type": "object", "required": ["policy-type", "policy-domain"],
                        "additionalProperties": False,
                        "properties": {
                            "policy-type": {"enum": list(POLICY_TYPES)},
                            "policy-string": STRINGS,
                            "policy-domain": {"type": "string", "minLength": 1},
                            "mx-host": STRINGS,
                        },
                    },
                    "summary": {
                        "type": "object",
                        "required": ["total-successful-session-count",
                                     "total-failure-session-count"],
                        "additionalProperties": False,
                        "properties": {"total-successful-session-count": COUNT,
                                       "total-failure-session-count": COUNT},
                    },
                    "failure-details": {"type": "array", "items": FAILURE},
                },
            },
        },
    },
}
