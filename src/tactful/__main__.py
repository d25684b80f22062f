"""`python -m tactful` runs the CLI."""

from tactful.cli import main

main()
