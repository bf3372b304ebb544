"""Checks salle's OpenAPI document and real API answers against it.

Reads {"document": <openapi.json>, "answers": [{method, path, status,
content_type, body}]} on stdin. Validates the document with
openapi-spec-validator, then each answer: its path and method must be a
documented operation, its status documented (or covered by `default`), and a
JSON body must validate, with jsonschema, against the documented schema.
Prints {"checked": N, "errors": [...]} as JSON.
"""

import json
import re
import sys

import jsonschema
from openapi_spec_validator import validate


def template_matches(template: str, path: str) -> bool:
    pattern = "^" + re.sub(r"\{[^/}]+\}", "[^/]+", re.escape(template).replace(r"\{", "{").replace(r"\}", "}")) + "$"
    return re.match(pattern, path) is not None


def find_operation(document, method, path):
    # Literal paths win over templated ones (/bookings before /bookings/{id}).
    candidates = sorted(document["paths"].items(), key=lambda kv: kv[0].count("{"))
    for template, item in candidates:
        if template_matches(template, path) and method.lower() in item:
            return template, item[method.lower()]
    return None, None


def main():
    data = json.load(sys.stdin)
    document = data["document"]
    errors = []
    try:
        validate(document)
    except Exception as e:  # the validator's own error says what is wrong
        errors.append(f"the document is not valid OpenAPI: {e}")
    checked = 0
    for answer in data["answers"]:
        checked += 1
        where = f'{answer["method"]} {answer["path"]} → {answer["status"]}'
        template, operation = find_operation(document, answer["method"], answer["path"])
        if operation is None:
            errors.append(f"{where}: no such operation in the document")
            continue
        responses = operation.get("responses", {})
        response = responses.get(str(answer["status"])) or responses.get("default")
        if response is None:
            errors.append(f"{where}: status not documented for {template}")
            continue
        content = response.get("content", {})
        if not content:
            continue
        if "application/json" not in content:
            if not any(answer["content_type"].startswith(t) for t in content):
                errors.append(f'{where}: answered {answer["content_type"]}, documented {list(content)}')
            continue
        schema = content["application/json"].get("schema")
        if schema is None:
            continue
        root = dict(schema)
        root["components"] = document.get("components", {})
        validator = jsonschema.Draft202012Validator(root)
        for error in validator.iter_errors(answer["body"]):
            path = "/".join(str(p) for p in error.absolute_path)
            errors.append(f"{where}: at '{path}': {error.message}")
    json.dump({"checked": checked, "errors": errors}, sys.stdout)


if __name__ == "__main__":
    main()
