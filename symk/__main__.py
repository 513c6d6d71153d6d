"""`python -m symk`: the same as the `symk` command."""
import sys

from .cli import main

sys.exit(main())
