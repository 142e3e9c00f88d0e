"""What production requires, with throwaway values, for the bench scripts that run with DEBUG off (as
production does) against their own scratch database and Django's test client."""

import atexit
import base64
import os
import secrets
import shutil
import tempfile

_throwaway_static_root = None


def use_throwaway_production_settings():
    global _throwaway_static_root
    os.environ["DEBUG"] = "False"
    os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    # The test client speaks plain HTTP; in production the proxy terminates TLS.
    os.environ.setdefault("SECURE_SSL_REDIRECT", "False")
    os.environ.setdefault("EMAIL_CONSOLE_IN_PRODUCTION", "True")
    os.environ.setdefault("PERSONAL_DATA_KEYS", base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())
    os.environ.setdefault("PERSONAL_DATA_HASH_KEY", secrets.token_hex(32))
    if "STATIC_ROOT" not in os.environ:
        _throwaway_static_root = tempfile.mkdtemp(prefix="bench-static-")
        atexit.register(shutil.rmtree, _throwaway_static_root, ignore_errors=True)
        os.environ["STATIC_ROOT"] = _throwaway_static_root


def collect_static_files():
    """Collect the static files into the throwaway STATIC_ROOT (removed when the script ends), after
    django.setup(). With DEBUG off the pages link the hashed names of the manifest storage, and a page
    fails without the manifest that collectstatic writes."""
    if _throwaway_static_root is None:
        return  # DEBUG given, or STATIC_ROOT of the caller's own, collected by the caller
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)
