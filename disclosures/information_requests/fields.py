"""Model fields stored encrypted (personal_data.encrypt); Python code and forms see the clear value.

The database column holds a Fernet token (text of any length); max_length still limits what a form or
full_clean accepts. A token differs each time the same value is encrypted, so the database cannot compare
these columns: every lookup but isnull is refused (a filter on them would silently match nothing). Use the
keyed hash columns for equality.
"""

from django.db import models

from . import personal_data


class EncryptedMixin:
    def get_internal_type(self):
        return "TextField"

    def from_db_value(self, value, expression, connection):
        if value is None:
            return value
        return personal_data.decrypt(value)

    def get_db_prep_value(self, value, connection, prepared=False):
        value = super().get_db_prep_value(value, connection, prepared)
        if value is None:
            return value
        return personal_data.encrypt(str(value))

    def get_lookup(self, lookup_name):
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        return None

    def get_transform(self, lookup_name):
        return None


class EncryptedCharField(EncryptedMixin, models.CharField):
    pass


class EncryptedEmailField(EncryptedMixin, models.EmailField):
    pass
