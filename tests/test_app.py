"""The app factory, configuration, headers and error pages."""

from __future__ import annotations

import stat

from clinic import create_app
from clinic.config import load_secret_key


def test_test_config_overrides_defaults(app):
    assert app.testing
    assert app.config["SECRET_KEY"] == "test-secret-key"
    assert app.config["IDLE_MINUTES"] == 15


def test_a_secret_key_is_generated_once_into_the_instance_folder(tmp_path):
    first = load_secret_key(str(tmp_path))
    assert len(first) == 64
    assert load_secret_key(str(tmp_path)) == first
    assert stat.S_IMODE((tmp_path / "secret_key").stat().st_mode) == 0o600


def test_environment_variables_configure_the_app(monkeypatch, tmp_path):
    monkeypatch.setenv("GROUNDWORK_IDLE_MINUTES", "30")
    monkeypatch.setenv("GROUNDWORK_SECRET_KEY", "from-env")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/env.sqlite")
    app = create_app()
    assert app.config["IDLE_MINUTES"] == 30
    assert app.config["SECRET_KEY"] == "from-env"
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("env.sqlite")


def test_pages_send_protective_headers(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_an_unknown_page_is_a_friendly_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "We could not find that page" in response.get_data(as_text=True)


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
