from __future__ import annotations

from collections.abc import Iterator

import pytest
from wordpress_site import RealWordPress, serve


@pytest.fixture(scope="session")
def real_wordpress() -> Iterator[RealWordPress]:
    """A real WordPress on 127.0.0.1 for this session (see wordpress_site.py); skips without the packages."""
    yield from serve()
