"""The threads that wait on the cluster database (state/threads.py: a pool of their own).

Every call to the cluster database blocks a thread until the server answers (at most
db.ANSWER_TIMEOUT, then the connection is cut). On asyncio's default executor those
waits took the threads the queue's intake and delivery use in the same process: with the
database frozen, a few admins running `clustercheck` delayed mail by seconds. Here they
wait among themselves (THREADS at once; more queue for a free one).
"""

from __future__ import annotations

from state.threads import Threads

THREADS = 8  # sessions and the follower waiting on the database at once
DATABASE = Threads("cluster-db", THREADS)
off_loop = DATABASE.run
