"""The caches: the database cache with counters that hold across processes (the embedded
default), and Redis that an outage cannot turn into error pages (production)."""

from __future__ import annotations

import base64
import functools
import logging
import pickle

from asgiref.sync import sync_to_async
from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.db import connections, router, transaction
from django.utils.timezone import now as tz_now
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


class AtomicDatabaseCache(DatabaseCache):
    """Django's DatabaseCache whose `incr`/`decr` are atomic across processes and connections.

    Django's come from BaseCache: a `get`, then a `set`, with nothing held between them, so two
    web processes counting one rate limit at once both read 4 and both write 5, and a request gets
    past the limit. Here the read and the write happen in one transaction that holds the row's
    lock from before the read: `SELECT … FOR UPDATE` where the database has it (PostgreSQL), and
    on SQLite a first write that takes the database's write lock (settings open SQLite
    transactions IMMEDIATE anyway, which takes it at BEGIN). Like Redis' INCR, an increment keeps
    the key's expiry; a missing or expired key raises ValueError, as Django's does.

    Values stay in Django's encoding (a base64 text of the pickle), so `get`, `set` and `add` are
    Django's own; it inlines the encoding in `get_many` and `_base_set` rather than exposing it,
    so the two lines of it are repeated in `_decode` and `_encode`.
    """

    def incr(self, key, delta=1, version=None):
        cache_key = self.make_and_validate_key(key, version=version)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        quote_name = connection.ops.quote_name
        table, key_column = quote_name(self._table), quote_name("cache_key")
        value_column, expires_column = quote_name("value"), quote_name("expires")
        now = connection.ops.adapt_datetimefield_value(tz_now().replace(microsecond=0))
        with transaction.atomic(using=db), connection.cursor() as cursor:
            if connection.features.has_select_for_update:
                lock = " " + connection.ops.for_update_sql()
            else:
                # Writes nothing, but a write takes SQLite's write lock before the read below.
                cursor.execute(
                    f"UPDATE {table} SET {key_column} = {key_column} WHERE {key_column} = %s", [cache_key]
                )
                lock = ""
            cursor.execute(
                f"SELECT {value_column} FROM {table} WHERE {key_column} = %s AND {expires_column} > %s{lock}",
                [cache_key, now],
            )
            row = cursor.fetchone()
            if row is None:
                raise ValueError(f"Key '{key}' not found")
            value = self._decode(connection, row[0]) + delta
            cursor.execute(
                f"UPDATE {table} SET {value_column} = %s WHERE {key_column} = %s",
                [self._encode(value), cache_key],
            )
        return value

    async def aincr(self, key, delta=1, version=None):
        # BaseCache.aincr is an aget then an aset: the same race again.
        return await sync_to_async(self.incr, thread_sensitive=True)(key, delta, version=version)

    def _encode(self, value) -> str:
        return base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")

    @staticmethod
    def _decode(connection, stored):
        return pickle.loads(base64.b64decode(connection.ops.process_clob(stored).encode()))


def _forgiving(method, *, answer):
    """`method`, answering `answer` (and logging) instead of raising when Redis is unreachable."""

    @functools.wraps(method)
    def call(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except RedisError as error:
            logger.error("cache unreachable: %s answered %r (%s)", method.__name__, answer, error)
            return answer

    return call


class ReusingRedisCacheClient(RedisCacheClient):
    """Django's Redis cache client, keeping one `redis.Redis` per connection pool instead of
    building one for every cache call (about 0.12 ms of CPU each: the client sets up its ~250
    response callbacks). A `redis.Redis` on a pool is safe to share between threads."""

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        clients = self.__dict__.setdefault("_clients", {})
        client = clients.get(id(pool))
        if client is None:
            client = clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ForgivingRedisCache(RedisCache):
    """Django's RedisCache that treats Redis being unreachable as a cache that holds nothing.

    The cache speeds pages up and counts rate limits; neither may take the site down with it.
    With Redis down a read finds nothing (the page computes what it needs), a write keeps
    nothing, and `add` reports the key added, so a lock taken with it (allauth's, around its
    rate-limit counters) is taken and the request goes on: logging in, signing up and booking
    work during an outage, unlimited (logged), as core/ratelimit.py does for our own limits.
    `incr` still raises: a counter that cannot count is the caller's to judge.
    """

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient

    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except RedisError as error:
            logger.error("cache unreachable: get answered its default (%s)", error)
            return default

    get_many = _forgiving(RedisCache.get_many, answer={})
    has_key = _forgiving(RedisCache.has_key, answer=False)
    add = _forgiving(RedisCache.add, answer=True)
    set = _forgiving(RedisCache.set, answer=None)
    set_many = _forgiving(RedisCache.set_many, answer=[])
    touch = _forgiving(RedisCache.touch, answer=False)
    delete = _forgiving(RedisCache.delete, answer=False)
    delete_many = _forgiving(RedisCache.delete_many, answer=None)
