"""`python -m bridge`: the `ocpp-bridge` command, where the script is not on PATH."""

import sys

from bridge.cli import main

if __name__ == "__main__":
    sys.exit(main())
