"""`python -m matchmaker` runs the CLI."""

from matchmaker.cli import main

main()
