"""HTTP: the JSON API and server-rendered pages, built by create_app(settings)."""
