"""One-off migration command: ``python -m app.migrate``.

The toolkit's run-task action runs it as a one-off ECS task (container ``api``, command
``["python", "-m", "app.migrate"]``) before the service deploy. This example has no real schema: it
prints what it would migrate and exits 0. Without DATABASE_URL it says so and runs as a dry run (still exit
0); ``--require-database`` turns that into exit 1, so a task definition missing the secret fails loudly.
"""

from __future__ import annotations

import argparse
import sys

from .config import Settings

MIGRATIONS: tuple[tuple[str, str], ...] = (
    ("0001_create_messages", "CREATE TABLE messages (id serial PRIMARY KEY, body text NOT NULL)"),
    ("0002_add_created_at", "ALTER TABLE messages ADD COLUMN created_at timestamptz DEFAULT now()"),
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app.migrate", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--require-database", action="store_true", help="exit 1 when DATABASE_URL is not set (default: dry run)"
    )
    args = parser.parse_args(argv)

    settings = Settings.from_env()
    target = settings.database_target()
    if target is None:
        print("migrate: DATABASE_URL is not set (expected an ECS secret from SSM Parameter Store)", file=sys.stderr)
        if args.require_database:
            return 1
    print(f"migrate: app version {settings.version}, database {target or '(none, dry run)'}")
    for name, statement in MIGRATIONS:
        print(f"migrate: would apply {name}: {statement}")
    print(f"migrate: {len(MIGRATIONS)} migration(s) checked, nothing to do in this example")
    return 0


if __name__ == "__main__":
    sys.exit(main())
