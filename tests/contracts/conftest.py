"""The contract suite runs on the `database` fixture of tests/conftest.py: every implementation."""
