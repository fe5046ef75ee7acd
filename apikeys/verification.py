"""Finding the key a secret belongs to on every API request: the hot path, one query.

A malformed secret or a bad checksum costs no query; anything else costs one SELECT by digest (under every
pepper) joined to the account, in any state: the model decides whether the key works (``is_usable``), so a
refused secret can still be counted against its own key. Design and measurements: docs/performance.md.
"""

from __future__ import annotations

from django.conf import settings
from django.db import connections

from apikeys import secrets
from apikeys.models import PrivateKey

# The key's columns that requests read; the others are deferred (loaded on first access, as with only()).
KEY_FIELDS = frozenset(
    {
        "id",
        "public_id",
        "account",
        "name",
        "scopes",
        "digest",
        "created_at",
        "last_used_at",
        "last_refused_at",
        "expires_at",
        "allowed_ips",
        "deactivated_at",
    }
)


class _Statement:
    """The verify SELECT for one database, and how to turn its row into a key with its account."""

    _built: dict[tuple[str, int], _Statement] = {}

    def __init__(self, connection, candidates: int):
        qn = connection.ops.quote_name
        self.account_field = PrivateKey._meta.get_field("account")
        self.account_model = self.account_field.related_model
        key_fields = [f for f in PrivateKey._meta.concrete_fields if f.name in KEY_FIELDS]
        account_fields = list(self.account_model._meta.concrete_fields)
        columns = [f"k.{qn(f.column)}" for f in key_fields] + [f"a.{qn(f.column)}" for f in account_fields]
        digest = PrivateKey._meta.get_field("digest").column
        self.sql = (
            f"SELECT {', '.join(columns)} FROM {qn(PrivateKey._meta.db_table)} k"  # noqa: S608
            f" INNER JOIN {qn(self.account_model._meta.db_table)} a"
            f" ON a.{qn(self.account_model._meta.pk.column)} = k.{qn(self.account_field.column)}"
            f" WHERE k.{qn(digest)} IN ({', '.join(['%s'] * candidates)})"
        )
        self.converters = []
        for index, field in enumerate(key_fields + account_fields):
            column = field.get_col(field.model._meta.db_table)
            found = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
            self.converters.extend((index, converter, column) for converter in found)
        self.split = len(key_fields)
        self.key_attnames = [f.attname for f in key_fields]
        self.account_attnames = [f.attname for f in account_fields]

    @classmethod
    def get(cls, connection, candidates: int) -> _Statement:
        statement = cls._built.get((connection.alias, candidates))
        if statement is None:
            statement = cls._built[connection.alias, candidates] = cls(connection, candidates)
        return statement

    def key_from(self, row: tuple, connection) -> PrivateKey:
        values = list(row)
        for index, converter, column in self.converters:
            values[index] = converter(values[index], column, connection)
        db = connection.alias
        key = PrivateKey.from_db(db, self.key_attnames, values[: self.split])
        account = self.account_model.from_db(db, self.account_attnames, values[self.split :])
        self.account_field.set_cached_value(key, account)
        return key


def find(secret: str, *, using: str = "default") -> PrivateKey | None:
    """Return the key ``secret`` belongs to, with its account loaded, whether it works or not; else None.

    Ask ``key.is_usable`` before letting it in (``verify`` does). A working key found under an old pepper is
    re-digested under the current one (one more query, once per key); a refused one is left as it is.
    """
    if not secrets.is_well_formed(secret):
        return None
    digests = [secrets.digest(secret, pepper) for pepper in settings.API_KEY_PEPPERS]
    connection = connections[using]
    statement = _Statement.get(connection, len(digests))
    with connection.cursor() as cursor:
        cursor.execute(statement.sql, digests)
        row = cursor.fetchone()
    if row is None:
        return None
    key = statement.key_from(row, connection)
    if key.digest != digests[0] and key.is_usable:  # found under an older pepper
        key.rehash(secret)
    return key


def verify(secret: str, *, using: str = "default") -> PrivateKey | None:
    """Return the working key for ``secret`` with its account loaded, or None."""
    key = find(secret, using=using)
    return key if key is not None and key.is_usable else None
