"""The inbox doorbell: how a webhook's acknowledgement hands its delivery to the worker.

Acknowledging a delivery must cost as little as possible: stores send them in bursts and
wait seconds at most. So the acknowledgement only pushes the delivery's id onto a Redis
list (one command, ``ring``); the push that finds the list empty also enqueues a relay job.
The relay (``relay_job``, run by a worker) pops the ids and enqueues each delivery's own
job, ``inbox-<id>``, as RQ's unique enqueue: retries, the failed-job registry and replay
stay per delivery, as for every other kind of work, while building an RQ job (a hash of a
dozen fields and a Lua script, several times the cost of the INSERT before it) happens
off the acknowledgement's path.

Several relays may run at once (each pop is atomic, each enqueue unique). Nothing is lost
when Redis loses the list or a relay dies holding popped ids: the database holds every
delivery, and the sweeper enqueues the job of each received delivery that has none, and a
relay for any list that no relay is draining.
"""

from __future__ import annotations

import logging
import time

from redis import Redis

log = logging.getLogger(__name__)

DOORBELL = "reshelf:inbox:doorbell"
POP_BATCH = 500


def ring(connection: Redis, delivery_id: int) -> bool:
    """Announce a stored delivery; True when no relay is on its way and one must be enqueued."""
    return int(connection.rpush(DOORBELL, delivery_id)) == 1


def relay_job_id(delivery_id: int | None = None) -> str:
    """The relay rung for ``delivery_id``, or the sweeper's relay of this second."""
    return f"inbox-relay-{delivery_id}" if delivery_id else f"inbox-relay-at-{int(time.time())}"


def waiting(connection: Redis) -> int:
    """How many announced deliveries no relay has taken yet."""
    return int(connection.llen(DOORBELL))


def relay(connection: Redis | None = None) -> int:
    """Enqueue the job of every delivery on the doorbell list; return how many."""
    from worker.context import get_context
    from worker.dispatch import RQDispatcher
    from worker.queues import redis_connection

    dispatcher = RQDispatcher(get_context().engine, connection or redis_connection())
    relayed = 0
    while popped := dispatcher.connection.lpop(DOORBELL, POP_BATCH):
        for raw in popped:
            dispatcher.enqueue_delivery(int(raw))
        relayed += len(popped)
    log.info("relayed %d inbox deliveries", relayed)
    return relayed


def relay_job() -> int:
    """The relay, as the job a ring or the sweeper enqueues."""
    return relay()
