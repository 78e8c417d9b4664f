"""Checks that the SAM template's HTTP API routes equal the OpenAPI description's, method and path.

No template validator catches a route with the wrong method or a misspelt path: API Gateway
would then answer 404 for a documented call. Run by `make lint` with the lint venv's Python
(cfn-lint brings the YAML loader that understands CloudFormation's short tags):

    python infra/check_routes.py infra/template.yaml crates/http-api/openapi.yaml

Exits 1 and lists the differences when the two disagree, or when the OpenAPI file is missing.
"""

import sys
from pathlib import Path

import yaml
from cfnlint.decode import decode

HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options"}


def template_routes(path):
    """(METHOD, path) of every API Gateway route (and SAM HttpApi event), with where it is."""
    template, problems = decode(str(path))
    if problems:
        sys.exit(f"{path}: cannot parse the template: {problems}")
    routes = {}

    def add(route, where):
        if route in routes:
            sys.exit(f"{path}: route {route[0]} {route[1]} is declared twice")
        routes[route] = where

    for name, resource in template.get("Resources", {}).items():
        props = resource.get("Properties", {})
        if resource.get("Type") == "AWS::ApiGatewayV2::Route":
            method, _, route_path = str(props.get("RouteKey", "")).partition(" ")
            add((method.upper(), route_path), name)
        if resource.get("Type") == "AWS::Serverless::Function":
            for event in (props.get("Events") or {}).values():
                if event.get("Type") == "HttpApi":
                    event_props = event.get("Properties", {})
                    method = str(event_props.get("Method", "")).upper()
                    add((method, str(event_props.get("Path", ""))), name)
    return routes


def openapi_routes(path):
    """(METHOD, path) of every operation in the OpenAPI description."""
    document = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    routes = set()
    for route_path, item in (document.get("paths") or {}).items():
        for method in item or {}:
            if method.lower() in HTTP_METHODS:
                routes.add((method.upper(), route_path))
    return routes


def unexplained_skips(path):
    """Resources whose checkov skips lack a reason of at least a sentence."""
    template, _ = decode(str(path))
    problems = []
    for name, resource in template.get("Resources", {}).items():
        skips = (resource.get("Metadata") or {}).get("checkov", {}).get("skip", [])
        for skip in skips:
            reason = str(skip.get("comment", "")).strip()
            if len(reason) < 40:
                problems.append(f"{name}: checkov skip {skip.get('id')} has no written reason")
    return problems


def main(argv):
    if len(argv) != 3:
        sys.exit(__doc__)
    template_path, openapi_path = Path(argv[1]), Path(argv[2])
    if not openapi_path.is_file():
        sys.exit(f"{openapi_path} is missing: the HTTP API routes have nothing to be checked against")

    in_template = template_routes(template_path)
    in_openapi = openapi_routes(openapi_path)
    missing = sorted(in_openapi - set(in_template))
    extra = sorted(set(in_template) - in_openapi)
    for method, route in missing:
        print(f"documented in {openapi_path} but not routed in {template_path}: {method} {route}")
    for method, route in extra:
        print(
            f"routed in {template_path} ({in_template[(method, route)]}) "
            f"but not documented in {openapi_path}: {method} {route}"
        )
    skips = unexplained_skips(template_path)
    for problem in skips:
        print(problem)
    if missing or extra or skips:
        return 1
    print(f"routes: the template's {len(in_template)} HTTP API routes match {openapi_path}")
    print("checkov: every skip in the template carries its reason")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
