"""Adapters: storage, file formats, mail and payments, behind the domain's ports."""
