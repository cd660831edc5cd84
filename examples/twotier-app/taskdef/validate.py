"""Validate the example task definitions: ``python taskdef/validate.py [DIR]`` (exit 1 on any problem).

Checks every *.json in DIR (default: this directory):
- it parses and matches the ECS RegisterTaskDefinition request shape (botocore's own client-side
  validation, the same check the AWS CLI runs, no network);
- the topology contract the toolkit and its demo rely on: families, container names, ports, dependsOn,
  Fargate/awsvpc settings, roles, awslogs options and the DATABASE_URL secret.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ACCOUNT = "123456789012"
REGION = "us-east-1"
EXPECTED = {
    "sidecar.json": ("twotier-sidecar", {"web": 8080, "api": 8000}),
    "web.json": ("twotier-web", {"web": 8080}),
    "api.json": ("twotier-api", {"api": 8000}),
}
DATABASE_SECRET = f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/twotier/database-url"


def check(name: str, doc: dict) -> list[str]:
    problems: list[str] = []

    def expect(condition: bool, message: str) -> None:
        if not condition:
            problems.append(f"{name}: {message}")

    family, ports = EXPECTED[name]
    expect(doc.get("family") == family, f"family should be {family!r}, is {doc.get('family')!r}")
    expect(doc.get("networkMode") == "awsvpc", "networkMode should be awsvpc")
    expect(doc.get("requiresCompatibilities") == ["FARGATE"], "requiresCompatibilities should be ['FARGATE']")
    for key in ("cpu", "memory"):
        expect(isinstance(doc.get(key), str), f"{key} should be a string (e.g. '512')")
    expect(
        doc.get("executionRoleArn") == f"arn:aws:iam::{ACCOUNT}:role/twotier-task-execution",
        "executionRoleArn should be the twotier-task-execution role",
    )
    expect(doc.get("taskRoleArn") == f"arn:aws:iam::{ACCOUNT}:role/twotier-task", "taskRoleArn should be twotier-task")

    containers = {c.get("name"): c for c in doc.get("containerDefinitions", [])}
    expect(sorted(containers) == sorted(ports), f"containers should be {sorted(ports)}, are {sorted(containers)}")
    for cname, port in ports.items():
        c = containers.get(cname)
        if c is None:
            continue
        expect(c.get("essential") is True, f"container {cname} should be essential")
        mapped = [m.get("containerPort") for m in c.get("portMappings", [])]
        expect(mapped == [port], f"container {cname} should map port {port}, maps {mapped}")
        expect(c.get("image", "").endswith(":bootstrap"), f"container {cname} image should be a :bootstrap placeholder")
        expect("healthCheck" in c, f"container {cname} should have a healthCheck")
        log = c.get("logConfiguration", {})
        expect(log.get("logDriver") == "awslogs", f"container {cname} should log with awslogs")
        options = log.get("options", {})
        wanted = {
            "awslogs-group": "/ecs/twotier",
            "awslogs-region": REGION,
            "awslogs-stream-prefix": cname,
            "mode": "non-blocking",
        }
        expect(
            {key: options.get(key) for key in wanted} == wanted,
            f"container {cname} awslogs options should include {wanted}",
        )
        env = {e["name"]: e["value"] for e in c.get("environment", [])}
        if cname == "api":
            secrets = {s["name"]: s["valueFrom"] for s in c.get("secrets", [])}
            expect(secrets.get("DATABASE_URL") == DATABASE_SECRET, f"api should take DATABASE_URL from {DATABASE_SECRET}")
            expect("DATABASE_URL" not in env, "DATABASE_URL must be a secret, not a plain environment variable")
            expect(bool(env.get("APP_MESSAGE")), "api should set APP_MESSAGE")
            expect("/healthz" in " ".join(c.get("healthCheck", {}).get("command", [])), "api healthCheck should call /healthz")
        if cname == "web":
            expect(bool(env.get("API_UPSTREAM")), "web should set API_UPSTREAM")
            expect(
                "/nginx-health" in " ".join(c.get("healthCheck", {}).get("command", [])),
                "web healthCheck should call /nginx-health",
            )
    if name == "sidecar.json" and "web" in containers:
        expect(
            containers["web"].get("dependsOn") == [{"containerName": "api", "condition": "HEALTHY"}],
            "sidecar web should dependsOn api HEALTHY",
        )
        env = {e["name"]: e["value"] for e in containers["web"].get("environment", [])}
        expect(env.get("API_UPSTREAM") == "127.0.0.1:8000", "sidecar web should proxy to 127.0.0.1:8000")
    return problems


def check_shape(name: str, doc: dict) -> list[str]:
    """botocore's ParamValidator over the RegisterTaskDefinition input shape (unknown keys, wrong types)."""
    try:
        import botocore.session
        from botocore.validate import ParamValidator
    except ImportError:
        print("notice: botocore not importable; skipping the RegisterTaskDefinition shape check")
        return []
    model = botocore.session.get_session().get_service_model("ecs")
    shape = model.operation_model("RegisterTaskDefinition").input_shape
    report = ParamValidator().validate(doc, shape)
    return [f"{name}: {line}" for line in report.generate_report().splitlines()] if report.has_errors() else []


def main(argv: list[str]) -> int:
    directory = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent
    problems: list[str] = []
    for name in EXPECTED:
        path = directory / name
        try:
            doc = json.loads(path.read_text())
        except (OSError, json.JSONDecodeError) as error:
            problems.append(f"{name}: cannot read JSON: {error}")
            continue
        problems += check_shape(name, doc) + check(name, doc)
    for problem in problems:
        print(f"taskdef: {problem}", file=sys.stderr)
    if not problems:
        print(f"taskdef: {', '.join(EXPECTED)} valid")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
