"""Small helpers shared by the tests that need real services."""

import os
import time

import pytest

needs_redis = pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis: set REDIS_URL")


def wait_for(condition, seconds: float = 30.0) -> bool:
    """Poll `condition` until it is true or `seconds` pass; whether it became true."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True
