#!/usr/bin/env python
"""Command line of the shared-manufacturing economy; see ``python run.py --help``."""

import sys

from model.cli import main

if __name__ == "__main__":
    sys.exit(main())
