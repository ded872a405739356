"""Groundwork: worksheets and session-prep packets for therapists."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask, redirect, url_for
from werkzeug.middleware.proxy_fix import ProxyFix

from clinic import cli, errors, security, tasks, words
from clinic.auth import cli as auth_cli
from clinic.config import PROJECT_ROOT, Defaults, load_secret_key, sqlite_url
from clinic.database import engine_options, make_private_folder, prepare_sqlite_file
from clinic.extensions import csrf, db, login_manager, migrate
from clinic.fhir import cli as fhir_cli
from clinic.forms import error_list
from clinic.privacy import cli as privacy_cli
from clinic.scale import cli as scale_cli
from clinic.worksheets import load_library

MIGRATIONS_DIR = str(PROJECT_ROOT / "clinic" / "migrations")


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app: defaults, then instance/config.py, env, and `test_config` last."""
    app = Flask(
        __name__,
        instance_path=(test_config or {}).get("INSTANCE_PATH") or str(PROJECT_ROOT / "instance"),
        instance_relative_config=True,
        template_folder=str(PROJECT_ROOT / "templates"),
    )
    app.config.from_object(Defaults)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env("GROUNDWORK")
        if os.environ.get("DATABASE_URL"):
            app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
        if os.environ.get("REDIS_URL"):
            app.config["REDIS_URL"] = os.environ["REDIS_URL"]
    else:
        app.config.update(test_config)
    app.config.setdefault("SQLALCHEMY_DATABASE_URI", sqlite_url(app.instance_path))
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(app.config["SQLALCHEMY_DATABASE_URI"],
                                                             app.config["SQLALCHEMY_ENGINE_OPTIONS"])
    make_private_folder(app.instance_path)
    prepare_sqlite_file(app.config["SQLALCHEMY_DATABASE_URI"])
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = load_secret_key(app.instance_path)
    if app.config.get("PROXY_FIX"):
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1)

    app.extensions["worksheets"] = load_library(Path(app.config["WORKSHEETS_DIR"]))

    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR)
    csrf.init_app(app)
    login_manager.init_app(app)
    security.init_app(app)
    words.init_app(app)
    errors.init_app(app)
    cli.init_app(app)
    auth_cli.init_app(app)
    fhir_cli.init_app(app)
    scale_cli.init_app(app)
    privacy_cli.init_app(app)
    tasks.init_app(app)
    _register_blueprints(app)
    app.jinja_env.globals["form_errors"] = error_list
    return app


def _register_blueprints(app: Flask) -> None:
    from clinic.assignments.routes import bp as assignments_bp
    from clinic.auth.routes import bp as auth_bp
    from clinic.clients.routes import bp as clients_bp
    from clinic.fhir.routes import bp as fhir_bp
    from clinic.mail.routes import bp as mail_bp
    from clinic.pdf.routes import bp as pdf_bp
    from clinic.portal.routes import bp as portal_bp
    from clinic.privacy.routes import bp as privacy_bp
    from clinic.trends.routes import bp as trends_bp
    from clinic.worksheets.routes import bp as worksheets_bp

    for blueprint in (auth_bp, clients_bp, assignments_bp, portal_bp, pdf_bp, worksheets_bp, trends_bp,
                      fhir_bp, privacy_bp, mail_bp):
        app.register_blueprint(blueprint)
    # Browsers ask for /favicon.ico whatever the page says; answer instead of logging a 404.
    app.add_url_rule("/favicon.ico", "favicon",
                     lambda: redirect(url_for("static", filename="favicon.svg"), code=301))
