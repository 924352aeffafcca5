"""Loading a model's compiled kernel once per process, with one note when it cannot load.

The compiled kernels (``models/eum/compiled.py``, ``models/smp/compiled.py``) need numba, which
is imported only when a kernel is first asked for, so that commands that never run them do not
pay for it. Where numba is missing or fails, the model's array implementation runs instead (same
numbers, slower) and a single RuntimeWarning says so.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any


def load_once(cache: list[Any], model: str, load: Callable[[], Any]) -> Any:
    """The module ``load()`` returns, or None where it fails; tried once (kept in ``cache``)."""
    if not cache:
        try:
            module = load()
        except Exception as exc:  # numba absent, or too old or new for this numpy
            warnings.warn(
                f"{model}: compiled kernel unavailable ({type(exc).__name__}: {exc}); "
                "using the array implementation (slower, same numbers)",
                RuntimeWarning,
                stacklevel=4,
            )
            module = None
        cache.append(module)
    return cache[0]
