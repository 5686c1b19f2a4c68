"""Translators, one module per message family; importing this package registers them all.

Find the code for an action by its name: `grep -rn '"BootNotification"' bridge/translate/`.
"""

from bridge.translate import (  # noqa: F401  (modules register their translators)
    authorize,
    boot,
    certificates,
    commands,
    configuration,
    data_transfer,
    local_list,
    logs_firmware,
    metering,
    notifications,
    reservation,
    smart_charging,
    status,
    transactions,
    trigger,
)
