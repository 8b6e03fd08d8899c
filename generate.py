"""Build the patient leaflets: `python generate.py --help` lists the options."""

from leaflets.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
