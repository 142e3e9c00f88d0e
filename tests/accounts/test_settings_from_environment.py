"""The sign-in rules come from the environment, with the 等保 defaults."""

import os
import subprocess
import sys

from django.conf import settings

NAMES = ["AXES_FAILURE_LIMIT", "AXES_COOLOFF_TIME", "SECOND_FACTOR_REQUIRED", "PASSWORD_MAX_AGE_DAYS", "SESSION_IDLE_TIMEOUT_MINUTES"]


def read(env):
    environment = {k: v for k, v in os.environ.items() if k not in NAMES + ["AXES_COOLOFF_MINUTES"]}
    environment.update(env)
    code = "import portal.settings as s; print([str(getattr(s, n)) for n in %r])" % NAMES
    result = subprocess.run([sys.executable, "-c", code], cwd=settings.BASE_DIR, env=environment, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_defaults():
    assert read({}) == str(["5", "0:30:00", "True", "90", "30"])


def test_each_can_be_set():
    env = {
        "AXES_FAILURE_LIMIT": "8", "AXES_COOLOFF_MINUTES": "60", "SECOND_FACTOR_REQUIRED": "false",
        "PASSWORD_MAX_AGE_DAYS": "180", "SESSION_IDLE_TIMEOUT_MINUTES": "15",
    }
    assert read(env) == str(["8", "1:00:00", "False", "180", "15"])
