"""What production requires, with throwaway values, for the bench scripts that run with DEBUG off (as
production does) against their own scratch database and Django's test client."""

import base64
import os
import secrets


def use_throwaway_production_settings():
    os.environ["DEBUG"] = "False"
    os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    # The test client speaks plain HTTP; in production the proxy terminates TLS.
    os.environ.setdefault("SECURE_SSL_REDIRECT", "False")
    os.environ.setdefault("EMAIL_CONSOLE_IN_PRODUCTION", "True")
    os.environ.setdefault("PERSONAL_DATA_KEYS", base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())
    os.environ.setdefault("PERSONAL_DATA_HASH_KEY", secrets.token_hex(32))
