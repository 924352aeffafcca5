"""The limits of one dashboard, fixed when the app is made and read by its routes."""

from __future__ import annotations

from dataclasses import dataclass

#: Largest number of Monte Carlo samples one job may ask for.
MAX_SAMPLES = 20_000
#: Most edits one request may carry.
MAX_EDITS = 500
#: Largest uploaded scenario, in bytes.
MAX_UPLOAD_BYTES = 1_000_000


@dataclass(frozen=True)
class Settings:
    """Limits of one dashboard (``app.state.settings``)."""

    max_upload_bytes: int = MAX_UPLOAD_BYTES
    max_samples: int = MAX_SAMPLES
