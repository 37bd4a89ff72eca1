"""The cluster database: one PostgreSQL database per cluster, tables in schema `esacli`.

  cluster        one row: name, the cluster key wrapped by the passphrase (crypto.py)
  groups         id, name (renaming changes the name only: versions name the id)
  machines       id, name, group, joined; what it last applied (per level) and why not
  versions       append-only (a trigger refuses UPDATE and DELETE): number (one
                 sequence for all levels, assigned under the commit lock, so commit
                 order is number order), parent (the level's previous head), level,
                 scope (0, a group id or a machine id), author, source, machine (where
                 it was committed), time, comment, document (levels.encode)
  keys           private keys sealed with the cluster key (crypto.seal_key), by key id
  users          the shared user database: name, scrypt hash (state/secrets.py format)
  confirmations  `commit confirmed` waiting, at most one per level

Every commit takes `LOCK` (a transaction-level advisory lock) first, then reads
the head it is guarded by, writes, and NOTIFYs `CHANNEL`, all in one transaction.
"""

from __future__ import annotations

from typing import Final

FORMAT: Final = 1
SCHEMA: Final = "esacli"
CHANNEL: Final = "esacli_cluster"
LOCK: Final = 0x65736163  # "esac": the commit lock (pg_advisory_xact_lock)

DDL: Final = """
CREATE SCHEMA IF NOT EXISTS esacli;
CREATE TABLE esacli.cluster (
    id          integer PRIMARY KEY CHECK (id = 1),
    name        text NOT NULL,
    format      integer NOT NULL,
    key_salt    bytea NOT NULL,
    wrapped_key bytea NOT NULL,
    created     double precision NOT NULL
);
CREATE TABLE esacli.groups (
    id   serial PRIMARY KEY,
    name text NOT NULL UNIQUE
);
CREATE TABLE esacli.machines (
    id              serial PRIMARY KEY,
    name            text NOT NULL UNIQUE,
    group_id        integer NOT NULL REFERENCES esacli.groups (id),
    joined          double precision NOT NULL,
    applied_cluster bigint NOT NULL DEFAULT 0,
    applied_group   bigint NOT NULL DEFAULT 0,
    applied_machine bigint NOT NULL DEFAULT 0,
    applied_group_id integer NOT NULL DEFAULT 0,
    applied_error   text NOT NULL DEFAULT '',
    applied_at      double precision
);
CREATE TABLE esacli.versions (
    number   bigint PRIMARY KEY,
    parent   bigint,
    level    text NOT NULL CHECK (level IN ('cluster', 'group', 'machine')),
    scope    integer NOT NULL,
    author   text NOT NULL,
    source   text NOT NULL,
    machine  text NOT NULL,
    time     double precision NOT NULL,
    comment  text NOT NULL,
    document text NOT NULL
);
CREATE INDEX versions_level ON esacli.versions (level, scope, number DESC);
CREATE FUNCTION esacli.append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'configuration versions are append-only';
END $$;
CREATE TRIGGER versions_append_only BEFORE UPDATE OR DELETE ON esacli.versions
    FOR EACH ROW EXECUTE FUNCTION esacli.append_only();
CREATE TABLE esacli.keys (
    key_id text PRIMARY KEY,
    sealed bytea NOT NULL
);
CREATE TABLE esacli.users (
    name    text PRIMARY KEY,
    hash    text NOT NULL,
    updated double precision NOT NULL
);
CREATE TABLE esacli.confirmations (
    level    text NOT NULL,
    scope    integer NOT NULL,
    version  bigint NOT NULL,
    previous bigint NOT NULL,
    deadline double precision NOT NULL,
    author   text NOT NULL,
    PRIMARY KEY (level, scope)
);
"""
