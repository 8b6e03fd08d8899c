"""`python -m leaflets COMMAND`: the same as the `leaflets` command."""

from leaflets.cli import main

raise SystemExit(main())
