"""Admin sign-in: a signed session cookie with its CSRF token, and a login throttle.

The cookie holds `expiry.csrf.signature` (HMAC-SHA256 under a key derived from the secret key),
so no session table is needed and every server process accepts it; changing the secret key or
the admin password signs everybody out.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

from tactful.services.ports.counters import WindowCounters
from tactful.settings import Settings

SESSION_COOKIE = "tactful_admin"
LOGIN_CSRF_COOKIE = "tactful_admin_login"
SESSION_SECONDS = 8 * 3600
MAX_FAILURES = 5
FAILURE_WINDOW_SECONDS = 15 * 60
_EXPIRY = re.compile(r"[0-9]{1,12}")


@dataclass(frozen=True)
class Session:
    """A signed-in admin: when the session ends and the token its forms must carry."""

    expires: int
    csrf: str


class AdminAuth:
    """Checks passwords and issues and reads session cookies for one app's settings."""

    def __init__(self, settings: Settings, now: Callable[[], float] = time.time) -> None:
        self._passwords = [p.encode() for p in (settings.admin_password, settings.secret_key) if p]
        seed = f"{settings.secret_key}\x1f{settings.admin_password}".encode()
        self._key = hashlib.sha256(b"tactful-admin-session\x1f" + seed).digest()
        self._now = now
        self.secure = settings.base_url.startswith("https://")

    def password_ok(self, presented: str) -> bool:
        """The admin password or the secret key (compared in constant time)."""
        given = presented.encode()
        return any(hmac.compare_digest(given, known) for known in self._passwords)

    def issue(self) -> tuple[str, Session]:
        """A new session and its cookie value."""
        session = Session(int(self._now()) + SESSION_SECONDS, secrets.token_urlsafe(24))
        body = f"{session.expires}.{session.csrf}"
        return f"{body}.{self._sign(body)}", session

    def read(self, cookie: str | None) -> Session | None:
        """The session a cookie carries, or None when absent, forged or expired."""
        if not cookie or cookie.count(".") != 2:
            return None
        expires, csrf, signature = cookie.split(".")
        if not hmac.compare_digest(signature.encode(), self._sign(f"{expires}.{csrf}").encode()):
            return None
        ends = _expiry(expires)
        if ends is None or ends <= self._now():
            return None
        return Session(ends, csrf)

    def _sign(self, body: str) -> str:
        return hmac.new(self._key, body.encode(), hashlib.sha256).hexdigest()


def _expiry(text: str) -> int | None:
    """A session's end in Unix seconds: 1 to 12 ASCII digits ('²' is a digit to str.isdigit)."""
    return int(text) if _EXPIRY.fullmatch(text) else None


def tokens_match(expected: str | None, presented: str | None) -> bool:
    """A form's CSRF token equals the session's (constant time; both must be present)."""
    if not expected or not presented:
        return False
    return hmac.compare_digest(expected.encode(), presented.encode())


@dataclass
class LoginThrottle:
    """At most `limit` failed logins per client in each `window`-second window; then wait
    (429). Counted in `counters`: in the database, every server process shares the count."""

    counters: WindowCounters
    limit: int = MAX_FAILURES
    window: int = FAILURE_WINDOW_SECONDS

    def retry_after(self, client: str) -> int:
        """Seconds until `client` may try again; 0 when it may now."""
        seen = self.counters.read(_failures(client), self.window)
        if seen.count < self.limit:
            return 0
        return max(int(seen.resets_in) + 1, 1)

    def failed(self, client: str) -> None:
        """Count one failed attempt."""
        self.counters.add(_failures(client), self.window)

    def succeeded(self, client: str) -> None:
        """Forget the client's failures."""
        self.counters.clear(_failures(client), self.window)


def _failures(client: str) -> str:
    return f"admin-login-failures:{client}"
