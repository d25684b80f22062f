"""What the app holds for its requests: the container of every service, built once."""

from __future__ import annotations

from tactful.container import Container

AppState = Container
"""`app.state.tactful`: the composition root's container (settings and every service)."""

__all__ = ["AppState", "Container"]
