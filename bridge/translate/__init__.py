"""Translators, one module per message family; importing this package registers them all.

Find the code for an action by its name: `grep -rn '"BootNotification"' bridge/translate/`.
"""

from bridge.translate import (  # noqa: F401  (modules register their translators)
    authorize,
    boot,
    metering,
    notifications,
    status,
    transactions,
    trigger,
)
