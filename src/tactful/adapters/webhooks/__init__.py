"""Webhooks out over HTTP: Standard Webhooks signatures with the `standardwebhooks` package."""

from tactful.adapters.webhooks.sender import StandardWebhookSender, new_secret

__all__ = ["StandardWebhookSender", "new_secret"]
