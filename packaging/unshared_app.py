"""Entry point of the single-file app: ``unshared app`` with the same options."""

from __future__ import annotations

import sys

from unshared.cli import main

if __name__ == "__main__":
    sys.argv = [sys.argv[0], "app", *sys.argv[1:]]
    main()
