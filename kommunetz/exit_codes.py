"""The exit codes of the ``kommunetz`` command, as the README documents them."""

from __future__ import annotations

from typing import Final

EXIT_OK: Final[int] = 0
#: Anything else that went wrong (a `KommunetzError`: a decision taken already, ...).
EXIT_ERROR: Final[int] = 1
#: Unusable input (`InvalidInput`): a file with errors, an unknown or ambiguous name, a
#: question that cannot be asked that way, a registration file with a refused entry.
EXIT_INVALID: Final[int] = 2
#: The store cannot be reached (`StoreUnavailable`).
EXIT_UNAVAILABLE: Final[int] = 3
