"""Clustering: appliances that share committed configuration through PostgreSQL.

Levels (reference §10): Cluster, Group (every machine in exactly one; the
default Main_Group), Machine. Each level holds a *partial* configuration: the
top-level sections of `state.model.Config` it defines. A machine runs the merge
of its three levels, section by section, the lowest level that defines a section
winning (levels.py says why). Machine-only sections (host name, IP interfaces)
exist only at Machine level.

PostgreSQL holds every level's append-only history, the machines, the groups,
the shared user database and the private keys sealed with the cluster key.
Each machine keeps its local SQLite store (state/store.py) as the applied copy:
the follower writes the merged configuration there as ordinary versions, so the
engine follows the local store exactly as a standalone appliance's does, and
keeps serving on it while PostgreSQL is away.

Modules:
  errors.py    the exception tree of this package
  messages.py  every text an error here carries (the shell prints them as they are)
  levels.py    levels, sections, the merge of levels, staging into a level (pure)
  crypto.py    the cluster key, its passphrase wrapping, sealed private keys
  schema.py    the PostgreSQL tables
  db.py        one PostgreSQL connection and the transactions on it
  local.py     what a member keeps in its data dir (membership, applied levels, outbox)
  node.py      a member: catch-up, offline push, connection state, clustercheck data
  session.py   LevelSession, a CLI session's candidate at one level
  ops.py       create, join, groups, machines: what `clusterconfig` calls
  follower.py  the background task of `esacli run` that keeps a member caught up

Nothing outside this package imports psycopg, and nothing imports this package
unless a data dir is clustered (`local.is_clustered`).
"""
