"""An app over a fresh database whose e-mails go to a real SMTP server (aiosmtpd), with the steps
people take on the account pages (sign up and verify, log in, be granted a role), for the
in-process page tests of accounts and publishing."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from matchmaker.accounts.models import User
from matchmaker.store.models import Park
from tests.accounts.conftest import Mailbox, free_port

__all__ = ["PASSWORD", "Site", "csrf", "grant", "log_in", "sign_up", "site"]

PUBLIC_URL = "http://testserver"
PASSWORD = "南宁青秀山-观景台-2026"


@dataclass
class Site:
    """The app over a fresh database, its mailbox and the ids of the park it has."""

    app: object
    mailbox: Mailbox
    parks: dict[str, int]
    made: int = 0

    def client(self, address: str | None = None) -> TestClient:
        """A browser of its own (its own cookies and, unless given, its own address)."""
        self.made += 1
        peer = address or f"10.0.{self.made // 250}.{self.made % 250 + 1}"
        return TestClient(self.app, client=(peer, 50000))  # type: ignore[arg-type]

    def path(self, address: str, path: str) -> str:
        """The local path and query of the last `path` link mailed to an address."""
        return self.mailbox.link(address, path).removeprefix(PUBLIC_URL)


def csrf(client: TestClient, path: str) -> str:
    """The CSRF token of a page's forms."""
    found = re.search(r'name="csrf" value="([^"]+)"', client.get(path).text)
    assert found is not None
    return found.group(1)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The app (lifespan included) with SMTP pointing at a real local server."""
    from aiosmtpd.controller import Controller

    from matchmaker.core.config import get_settings
    from matchmaker.store.db import get_engine, session_scope, upgrade

    data_dir: Path = tmp_path_factory.mktemp("pages-accounts") / "data"
    box, port = Mailbox(), free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    with pytest.MonkeyPatch.context() as mp:
        for name, value in {
            "MATCHMAKER_DATA_DIR": str(data_dir),
            "MATCHMAKER_SECRET_KEY": "accounts-pages-secret",
            "MATCHMAKER_PUBLIC_URL": PUBLIC_URL,
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(port),
            "SMTP_TLS": "none",
        }.items():
            mp.setenv(name, value)
        mp.delenv("DATABASE_URL", raising=False)
        mp.delenv("SMTP_USER", raising=False)
        get_settings.cache_clear()
        get_engine.cache_clear()
        try:
            upgrade()
            with session_scope() as s:
                lz = Park(external_id="P-LZ", name="柳州高新区", level="national", city="柳州")
                bh = Park(external_id="P-BH", name="北海高新区", level="national", city="北海")
                s.add_all([lz, bh])
                s.flush()
                parks = {"lz": lz.id, "bh": bh.id}
            from api.main import create_app

            app = create_app()
            with TestClient(app):
                yield Site(app, box, parks)
        finally:
            controller.stop()
            get_engine.cache_clear()
            get_settings.cache_clear()


def sign_up(site: Site, client: TestClient, address: str, name: str = "李雷") -> None:
    """Fill in the sign-up form and click the e-mailed link."""
    form = {"email": address, "name": name, "password": PASSWORD, "password2": PASSWORD}
    answer = client.post("/signup", data=form)
    assert answer.status_code == 201 and address.lower() in answer.text
    verified = client.get(site.path(address.lower(), "/account/verify"))
    assert verified.status_code == 200 and "邮箱已验证" in verified.text


def log_in(client: TestClient, address: str, password: str = PASSWORD) -> None:
    """Log in with e-mail and password."""
    answer = client.post(
        "/login", data={"email": address, "password": password, "next": "/"}, follow_redirects=False
    )
    assert answer.status_code == 303, answer.text[:2000]


def grant(address: str, role: str, park: int | None = None) -> None:
    """Make an account park staff or admin (what `matchmaker users grant` does)."""
    from matchmaker.store.db import session_scope

    with session_scope() as s:
        user = s.scalars(select(User).where(User.email == address)).one()
        user.role, user.park_id = role, park
