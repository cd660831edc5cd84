"""twotier example API: a small Flask app served by gunicorn behind Nginx.

Endpoints:
    GET  /healthz      liveness: the process answers; touches no dependency.
    GET  /api/health   readiness: reports whether DATABASE_URL is configured (never its value).
    GET  /api/message  the endpoint the frontend calls: APP_MESSAGE, APP_VERSION and the serving hostname.
    POST /api/echo     echoes a JSON body back (handy for smoke tests through the proxy).

Settings come from environment variables (see app.config.Settings). DATABASE_URL arrives as an ECS
secret from SSM Parameter Store; it is never logged or returned.
"""

from __future__ import annotations

import logging
import socket
from typing import Any

from flask import Flask, jsonify, request

from .config import Settings

__all__ = ["create_app"]


def create_app(settings: Settings | None = None) -> Flask:
    """Build the Flask application.

    Args:
        settings: explicit settings (tests); defaults to ``Settings.from_env()``.

    Returns:
        A configured :class:`flask.Flask` app with the routes above registered.
    """
    settings = settings or Settings.from_env()
    app = Flask(__name__, static_folder=None)  # JSON API only; the SPA is served by CloudFront
    app.config["SETTINGS"] = settings
    app.json.sort_keys = False  # keep the documented field order in responses
    hostname = socket.gethostname()
    log = logging.getLogger("twotier.api")

    @app.get("/healthz")
    def healthz() -> tuple[dict[str, str], int]:
        return {"status": "ok"}, 200

    @app.get("/api/health")
    def health() -> tuple[dict[str, Any], int]:
        return {
            "status": "ok",
            "version": settings.version,
            "database": {"configured": settings.database_url is not None},
        }, 200

    @app.get("/api/message")
    def message() -> tuple[dict[str, str], int]:
        return {
            "message": settings.message,
            "version": settings.version,
            "hostname": hostname,
        }, 200

    @app.post("/api/echo")
    def echo() -> Any:
        body = request.get_json(silent=True)
        if body is None:
            return jsonify(error="expected a JSON body with Content-Type: application/json"), 400
        return jsonify(echo=body, hostname=hostname), 200

    @app.errorhandler(404)
    def not_found(_error: Exception) -> tuple[dict[str, str], int]:
        return {"error": "not found", "path": request.path}, 404

    @app.errorhandler(405)
    def method_not_allowed(_error: Exception) -> tuple[dict[str, str], int]:
        return {"error": "method not allowed", "method": request.method, "path": request.path}, 405

    log.info(
        "twotier api %s ready (database configured: %s)",
        settings.version,
        "yes" if settings.database_url else "no",
    )
    return app
