"""The cluster shell in-process (tests/kit/shell's transcripts) over real data dirs and a
real PostgreSQL: clusterconfig create and join with their bad answers, clustermode and
the mode prompt, the NOTICE dialogs and the restricted-command questions, concurrent
commits from two members' shells. Over OpenSSH: test_cluster_ssh.py."""

from __future__ import annotations

import re
from collections.abc import Callable

from esacli.console import ScriptedConsole
from state import model
from state.cluster import local
from tests.cluster.kit import (
    PASSPHRASE,
    Box,
    Database,
    cluster_session,
    create,
    join,
    machine_session,
    shell_screen,
)
from tests.kit.ports import reserve
from tests.kit.shell import transcript

Boxes = Callable[..., Box]
CTRL_C, CTRL_D = ScriptedConsole.CTRL_C, ScriptedConsole.CTRL_D


def masked(screen: str, database: Database) -> str:
    """The screen with what differs between runs (the server's port, the database's
    name, the driver's reason) replaced by placeholders."""
    screen = screen.replace(database.address, "ADDRESS").replace(database.name, "DB")
    screen = screen.replace(f":{database.server.port}/", ":PORT/")
    return re.sub(r"(Unable to connect to the cluster database at [^ ]+): .*",
                  r"\1: REASON", screen)


CREATE_SCREEN = """
    a.example.com> clusterconfig

    Do you want to join or create a cluster?
    1. No, configure as standalone.
    2. Create a new cluster.
    3. Join an existing cluster.
    [1]> 2

    Enter the name of the new cluster.
    []> Gateways

    CONN
    []> postgresql://esacli@127.0.0.1:CLOSED/esacli

    Enter the password of the database user (Enter for none): $

    Enter the name of this machine in the cluster.
    [a.example.com]> a

    Enter a passphrase for the cluster. Every machine that joins the cluster asks for it once; it protects the private keys the cluster shares.

    Enter passphrase: $

    The cluster passphrase must be at least 8 characters long.

    Enter passphrase: $

    Enter passphrase again: $

    The passphrases do not match.

    Enter passphrase: $

    Enter passphrase again: $

    Unable to connect to the cluster database at 127.0.0.1:CLOSED/esacli: REASON

    CONN
    []> ADDRESS

    Enter the password of the database user (Enter for none): $

    Unable to connect to the cluster database at 127.0.0.1:PORT/DB: REASON

    CONN
    []> ADDRESS

    Enter the password of the database user (Enter for none): $

    Cluster Gateways created. This machine is machine a of group Main_Group; its configuration is now the cluster's (its host name and IP interfaces are its machine settings). The cluster takes effect immediately.

    (Cluster Gateways)> exit
    """

JOIN_SCREEN = """
    b.example.com> clusterconfig

    Do you want to join or create a cluster?
    1. No, configure as standalone.
    2. Create a new cluster.
    3. Join an existing cluster.
    [1]> 3

    CONN
    []> ADDRESS

    Enter the password of the database user (Enter for none): $

    The cluster database holds the cluster Gateways (machines: a).

    Enter the name of this machine in the cluster.
    [b.example.com]> a

    A machine named "a" is already in the cluster.

    Enter the name of this machine in the cluster.
    [b.example.com]> b

    Choose the group to join.
    1. Main_Group
    [1]> $

    Enter passphrase: $

    The cluster passphrase is incorrect.

    Enter passphrase: $

    WARNING: joining the cluster replaces this machine's shared settings (listeners, certificates, destination controls, routes, DNS, alerts, SSL...) with the cluster's. Its host name and IP interfaces are kept as its machine settings.

    Do you want to join the cluster Gateways? [N]> y

    This machine joined the cluster Gateways as machine b of group Main_Group. The cluster configuration takes effect immediately.

    (Cluster Gateways)> exit
    """.replace("CONN", "Enter the address of the cluster database (PostgreSQL), for example postgresql://esacli@192.0.2.10:5432/esacli")
CREATE_SCREEN = CREATE_SCREEN.replace("CONN", "Enter the address of the cluster database (PostgreSQL), for example postgresql://esacli@192.0.2.10:5432/esacli")


def b_has_its_own_listener(config: model.Config) -> model.Config:
    """B's standalone configuration differs from A's in a shared setting."""
    return model.replace(config, listeners=tuple(
        model.replace(li, max_connections=7) for li in config.listeners))


async def test_create_and_join_from_the_shell_ask_again_on_every_bad_answer(
        boxes: Boxes, database: Database) -> None:
    a, b = boxes("a"), boxes("b", "127.0.0.2", b_has_its_own_listener)
    closed = reserve()
    screen = await shell_screen(a, [
        "clusterconfig", "2", "Gateways", f"postgresql://esacli@127.0.0.1:{closed}/esacli", "",
        "a", "short", PASSPHRASE, PASSPHRASE + "x", PASSPHRASE, PASSPHRASE,
        database.address, "wrong-password", database.address, database.password, "exit"])
    assert masked(screen, database) == transcript(CREATE_SCREEN.replace("CLOSED", str(closed)))
    assert local.is_clustered(a.data)

    screen = await shell_screen(b, [
        "clusterconfig", "3", database.address, database.password, "a", "b", "",
        "not-the-passphrase", PASSPHRASE, "y", "exit"])
    assert masked(screen, database) == transcript(JOIN_SCREEN)
    # the shared settings are the cluster's, the machine settings B's own
    joined, original = b.store.load(), a.store.load()
    assert joined.listeners == original.listeners
    assert joined.hostname == "b.example.com"
    assert joined.interfaces[0].ip == "127.0.0.2"
    # neither secret was ever on the screen or in the database in clear
    dump = database.dump()
    for secret in (PASSPHRASE, database.password):
        assert secret not in screen
        assert secret not in dump


MODES_SCRIPT = [
    "clustermode machine b", "dnsconfig", "", "dnsconfig", "3", "", "", "showchanges",
    "clustermode group Nope", "clustermode cluster extra", "clustermode machine a",
    "sethostname", "n", "clustermode", "2", "sethostname b2.example.com", "y",
    "clustermode cluster", "commit", "clusterconfig", "REMOVEMACHINE", "b", "", "clustermode",
    "3", "", "commit", "B's own DNS and host name", "exit"]

NOTICE = """
    NOTICE: This configuration command has not yet been configured for the current cluster mode (Machine b).

    What would you like to do?
    1. Switch modes to edit at mode "Cluster Gateways".
    2. Start a new, empty configuration at the current mode (Machine b).
    3. Copy settings from another cluster mode to the current mode (Machine b)."""

MODES_SCREEN = """
    (Cluster Gateways)> clustermode machine b

    (Machine b)> dnsconfig
    NOTICE
    []> $

    (Machine b)> dnsconfig
    NOTICE
    []> 3

    Choose the mode from which to copy settings
    1. Cluster Gateways
    [1]> $

    The settings of dnsconfig were copied from "Cluster Gateways" to "Machine b".

    Currently using the local DNS cache servers:
    1. Priority: 0 127.0.0.1

    Choose the operation you want to perform:
    - NEW - Add a new server.
    - EDIT - Edit a server.
    - DELETE - Remove a server.
    - USE - Use the system resolver.
    - SETUP - Configure general settings.
    []> $

    (Machine b)> showchanges

    {'Machine b': {'': {'dns.servers': ('127.0.0.1',), 'dns.port': 9, 'dns.timeout': 0.5}}}

    (Machine b)> clustermode group Nope

    There is no group named "Nope" in the cluster.

    (Machine b)> clustermode cluster extra

    Usage: clustermode cluster | clustermode group NAME | clustermode machine NAME

    (Machine b)> clustermode machine a

    (Machine a)> sethostname

    This command is restricted to run in machine mode of the machine you are logged in to. Do you want to switch to "Machine b" mode? [Y]> n

    (Machine a)> clustermode

    Choose the configuration mode to edit:
    1. Cluster Gateways
    2. Group Main_Group
    3. Machine b
    [1]> 2

    (Group Main_Group)> sethostname b2.example.com

    This command is restricted to run in machine mode of the machine you are logged in to. Do you want to switch to "Machine b" mode? [Y]> y

    The hostname b2.example.com takes effect when you commit.

    (Machine b)> clustermode cluster

    (Cluster Gateways)> commit

    There is no data to commit in this mode. Changes are pending in Machine b: switch to that mode with clustermode to commit them.

    (Cluster Gateways)> clusterconfig
    CLUSTERCONFIG
    []> REMOVEMACHINE

    Choose the machine to remove from the cluster.
    1. a
    2. b
    []> b

    You cannot remove the machine you are logged in to ("b"). Remove it from another machine of the cluster.
    CLUSTERCONFIG
    []> $

    (Cluster Gateways)> clustermode

    Choose the configuration mode to edit:
    1. Cluster Gateways
    2. Group Main_Group
    3. Machine b
    [1]> 3

    Choose a machine.
    1. a
    2. b
    [2]> $

    (Machine b)> commit

    Please enter some comments describing your changes:
    []> B's own DNS and host name

    Changes committed: DATE

    (Machine b)> exit
    """

CLUSTERCONFIG = """
    Cluster Gateways

    Choose the operation you want to perform:
    - ADDGROUP - Add a cluster group.
    - SETGROUP - Set the group that machines are a member of.
    - RENAMEGROUP - Rename a cluster group.
    - DELETEGROUP - Remove a cluster group.
    - REMOVEMACHINE - Remove a machine from the cluster.
    - SETNAME - Set the cluster name.
    - LIST - List the machines in the cluster.
    - CONNSTATUS - Show the status of this machine's connection to the cluster.
    - DISCONNECT - Temporarily detach this machine from the cluster.
    - RECONNECT - Restore the connection of this machine to the cluster."""


async def test_modes_notices_and_restricted_commands(boxes: Boxes, database: Database) -> None:
    a, b = boxes("a"), boxes("b", "127.0.0.2")
    node_a = create(a, database.url)
    node_b = join(b, database.url)
    screen = await shell_screen(b, MODES_SCRIPT)
    expected = MODES_SCREEN.replace("\n    NOTICE\n", "\n" + NOTICE + "\n")
    expected = expected.replace("\n    CLUSTERCONFIG\n", "\n" + CLUSTERCONFIG + "\n")
    screen = re.sub(r"Changes committed: .*", "Changes committed: DATE", screen)
    assert screen == transcript(expected)
    # both changes landed at Machine b only: B runs them at once (no follower runs here:
    # the committing machine applies its own commit), A runs neither
    assert b.store.load().hostname == "b2.example.com"
    with node_a.connect() as db:
        node_a.catch_up(db)
    assert machine_session(node_b).defines("dns")
    assert not machine_session(node_a).defines("dns")
    assert a.store.load().hostname == "a.example.com"


def dns_timeout(seconds: float) -> Callable[[model.Config], model.Config]:
    return lambda c: model.replace(c, dns=model.replace(c.dns, timeout=seconds))


def max_conn(count: int) -> Callable[[model.Config], model.Config]:
    def change(config: model.Config) -> model.Config:
        inbound = config.listeners[0]
        hat = model.replace(inbound.hat, default=model.replace(inbound.hat.default,
                                                               max_concurrency=count))
        return model.replace(config, listeners=(model.replace(inbound, hat=hat),
                                                *config.listeners[1:]))
    return change


CONCURRENT_SCREEN = """
    (Cluster Gateways)> listenerconfig edit InboundMail hostaccess default --max_conn=7

    (Cluster Gateways)> commit

    Please enter some comments describing your changes:
    []> from a

    These changes committed by another session were merged:
    dns.timeout

    Changes committed: DATE

    (Cluster Gateways)> listenerconfig edit InboundMail hostaccess default --max_conn=9

    (Cluster Gateways)> commit

    Please enter some comments describing your changes:
    []> from a again

    Another session committed changes to the same settings:
    listeners[InboundMail].hat.default.max_concurrency
        committed before: 7
        theirs: 11
        yours: 9
    Nothing was committed. Your changes are still pending.
    To keep yours, type 'clear' and make those changes again: they then apply to what the other session committed.

    (Cluster Gateways)> showchanges

    {'Cluster Gateways': {'': {'listeners[InboundMail].hat.default.max_concurrency': 9}}}

    (Cluster Gateways)> exit

    Configuration changes entered but not committed. Exiting will lose changes.
    Type 'commit' at the command prompt to commit changes.
    Are you sure you wish to exit? [N]> y
    """


async def test_concurrent_cluster_commits_from_two_machines_merge_or_name_the_path(
        boxes: Boxes, database: Database) -> None:
    a, b = boxes("a"), boxes("b", "127.0.0.2")
    node_a = create(a, database.url)
    node_b = join(b, database.url)

    def commit_on_b(change: Callable[[model.Config], model.Config]) -> Callable[[], None]:
        def run() -> None:  # between A's edit and A's commit
            session = cluster_session(node_b)
            session.stage(change(session.candidate))
            session.commit("from b")
        return run

    screen = await shell_screen(a, [
        "listenerconfig edit InboundMail hostaccess default --max_conn=7",
        commit_on_b(dns_timeout(2.0)), "commit", "from a",
        "listenerconfig edit InboundMail hostaccess default --max_conn=9",
        commit_on_b(max_conn(11)), "commit", "from a again", "showchanges", "exit", "y"])
    screen = re.sub(r"Changes committed: .*", "Changes committed: DATE", screen)
    assert screen == transcript(CONCURRENT_SCREEN)
    # no update lost: the head holds B's timeout, A's merged 7, then B's 11 (A's 9 refused)
    head = cluster_session(node_a).candidate
    assert head.dns.timeout == 2.0
    assert head.listeners[0].hat.default.max_concurrency == 11


CONN = ("Enter the address of the cluster database (PostgreSQL), for example"
        " postgresql://esacli@192.0.2.10:5432/esacli")

ABANDONED_CREATE = """
    a.example.com> sethostname a2.example.com

    The hostname a2.example.com takes effect when you commit.

    a2.example.com> clusterconfig

    There are pending changes that may be lost if you join or create a cluster. Do you want to continue? [N]> n

    a2.example.com> clusterconfig

    There are pending changes that may be lost if you join or create a cluster. Do you want to continue? [N]> y

    Do you want to join or create a cluster?
    1. No, configure as standalone.
    2. Create a new cluster.
    3. Join an existing cluster.
    [1]> 2

    Enter the name of the new cluster.
    []> Gateways

    CONN
    []> ADDRESS

    Enter the password of the database user (Enter for none): $

    Enter the name of this machine in the cluster.
    [a2.example.com]> a

    Enter a passphrase for the cluster. Every machine that joins the cluster asks for it once; it protects the private keys the cluster shares.

    Enter passphrase: $

    a2.example.com> clusterconfig

    There are pending changes that may be lost if you join or create a cluster. Do you want to continue? [N]> y

    Do you want to join or create a cluster?
    1. No, configure as standalone.
    2. Create a new cluster.
    3. Join an existing cluster.
    [1]> 2

    Enter the name of the new cluster.
    []> $

    a2.example.com> exit

    Configuration changes entered but not committed. Exiting will lose changes.
    Type 'commit' at the command prompt to commit changes.
    Are you sure you wish to exit? [N]> y
    """.replace("CONN", CONN)

ABANDONED_JOIN = """
    b.example.com> clusterconfig

    Do you want to join or create a cluster?
    1. No, configure as standalone.
    2. Create a new cluster.
    3. Join an existing cluster.
    [1]> 3

    CONN
    []> ADDRESS

    Enter the password of the database user (Enter for none): $

    The cluster database holds the cluster Gateways (machines: a).

    Enter the name of this machine in the cluster.
    [b.example.com]> b

    Choose the group to join.
    1. Main_Group
    [1]> $

    Enter passphrase: $

    WARNING: joining the cluster replaces this machine's shared settings (listeners, certificates, destination controls, routes, DNS, alerts, SSL...) with the cluster's. Its host name and IP interfaces are kept as its machine settings.

    Do you want to join the cluster Gateways? [N]> n

    Nothing was changed.

    b.example.com> clusterconfig

    Do you want to join or create a cluster?
    1. No, configure as standalone.
    2. Create a new cluster.
    3. Join an existing cluster.
    [1]> 3

    CONN
    []> ADDRESS

    Enter the password of the database user (Enter for none): $

    The cluster database holds the cluster Gateways (machines: a).

    Enter the name of this machine in the cluster.
    [b.example.com]> b

    Choose the group to join.
    1. Main_Group
    [1]> $

    Enter passphrase: $

    WARNING: joining the cluster replaces this machine's shared settings (listeners, certificates, destination controls, routes, DNS, alerts, SSL...) with the cluster's. Its host name and IP interfaces are kept as its machine settings.

    Do you want to join the cluster Gateways? [N]> $

    b.example.com> clusterconfig

    Do you want to join or create a cluster?
    1. No, configure as standalone.
    2. Create a new cluster.
    3. Join an existing cluster.
    [1]> 3

    CONN
    []> ADDRESS

    Enter the password of the database user (Enter for none): $

    The cluster database holds the cluster Gateways (machines: a).

    Enter the name of this machine in the cluster.
    [b.example.com]> b

    Choose the group to join.
    1. Main_Group
    [1]> $

    Enter passphrase: $

    b.example.com> clustermode

    This command is only available on cluster system.

    b.example.com> clustercheck

    This command is only available on cluster system.

    b.example.com> exit
    """.replace("CONN", CONN)


async def test_ctrl_c_ctrl_d_and_no_leave_nothing_half_made(boxes: Boxes,
                                                            database: Database) -> None:
    from state.cluster import ops
    from state.cluster.errors import NoCluster

    a, b = boxes("a"), boxes("b", "127.0.0.2", b_has_its_own_listener)
    screen = await shell_screen(a, [
        "sethostname a2.example.com", "clusterconfig", "n", "clusterconfig", "y", "2", "Gateways",
        database.address, database.password, "a", CTRL_C,
        "clusterconfig", "y", "2", CTRL_D, "exit", "y"])
    assert masked(screen, database) == transcript(ABANDONED_CREATE)
    assert not local.is_clustered(a.data)
    try:
        ops.probe(database.url)
        raise AssertionError("an abandoned create made a cluster")
    except NoCluster:
        pass

    create(a, database.url)
    before = b.store.load()
    screen = await shell_screen(b, [
        "clusterconfig", "3", database.address, database.password, "b", "", PASSPHRASE, "n",
        "clusterconfig", "3", database.address, database.password, "b", "", PASSPHRASE, CTRL_D,
        "clusterconfig", "3", database.address, database.password, "b", "", CTRL_C,
        "clustermode", "clustercheck", "exit"])
    assert masked(screen, database) == transcript(ABANDONED_JOIN)
    assert not local.is_clustered(b.data)
    assert b.store.load() == before
    assert ops.probe(database.url).machines == ["a"]


async def test_three_wrong_passphrases_end_the_join(boxes: Boxes, database: Database) -> None:
    a, b = boxes("a"), boxes("b", "127.0.0.2", b_has_its_own_listener)
    create(a, database.url)
    before = b.store.load()
    screen = await shell_screen(b, [
        "clusterconfig", "3", database.address, database.password, "b", "",
        "guess-one", "guess-two", "guess-three", "version", "exit"])
    assert screen.count("The cluster passphrase is incorrect.") == 3
    assert ("3 incorrect passphrases: the machine did not join. Nothing was changed.\n\n"
            "b.example.com> version") in screen
    assert not local.is_clustered(b.data) and b.store.load() == before


async def test_a_member_may_delete_an_interface_its_shared_listeners_name(
        boxes: Boxes, database: Database) -> None:
    a, b = boxes("a"), boxes("b", "127.0.0.2")
    create(a, database.url)
    join(b, database.url)
    screen = await shell_screen(b, ["interfaceconfig", "y", "delete", "1", "y", "", "commit",
                                    "B has no Management interface", "exit"])
    assert ("The interface Management is used by these listeners: InboundMail, OutboundMail."
            " On this machine they run disabled until an interface of that name exists"
            " again.") in screen
    assert "Changes committed" in screen
    assert b.store.load().interfaces == ()
    assert [li.name for li in b.store.load().listeners] == ["InboundMail", "OutboundMail"]
    assert [i.name for i in a.store.load().interfaces] == ["Management"]


START_EMPTY_SCREEN = """
    (Cluster Gateways)> alertconfig

    NOTICE: This configuration command has not yet been configured for the current cluster mode (Cluster Gateways).

    Do you want to start a new, empty configuration at the current mode (Cluster Gateways)? [N]> n

    (Cluster Gateways)> alertconfig

    NOTICE: This configuration command has not yet been configured for the current cluster mode (Cluster Gateways).

    Do you want to start a new, empty configuration at the current mode (Cluster Gateways)? [N]> $

    (Cluster Gateways)> sethostname

    This command is restricted to run in machine mode of the machine you are logged in to. Do you want to switch to "Machine a" mode? [Y]> $

    (Cluster Gateways)> alertconfig

    NOTICE: This configuration command has not yet been configured for the current cluster mode (Cluster Gateways).

    Do you want to start a new, empty configuration at the current mode (Cluster Gateways)? [N]> y

    No alert recipients are configured.

    Alerts are sent from: alert@a.example.com

    Choose the operation you want to perform:
    - NEW - Add a new email address to send alerts.
    - EDIT - Modify an email address.
    - DELETE - Remove an email address.
    - CLEAR - Remove all email addresses (disable alerts).
    - SETUP - Configure alert settings.
    []> $

    (Cluster Gateways)> showchanges

    {'Cluster Gateways': {'': {'alerts.recipients#order': (), 'alerts.from_address': ''}}}

    (Cluster Gateways)> commit

    Please enter some comments describing your changes:
    []> alerts defined again

    Changes committed: DATE

    (Cluster Gateways)> exit
    """


async def test_a_section_no_mode_defines_is_started_empty_or_left(boxes: Boxes,
                                                                  database: Database) -> None:
    """The one-question NOTICE (nothing to switch to or copy from); Ctrl-C and Ctrl-D at
    the NOTICE and the restricted-command questions run nothing."""
    a = boxes("a")
    node = create(a, database.url)
    top = cluster_session(node)
    top.undefine("alerts")
    top.commit("alerts left to the machines")
    screen = await shell_screen(a, ["alertconfig", "n", "alertconfig", CTRL_C, "sethostname",
                                    CTRL_D, "alertconfig", "y", "", "showchanges", "commit",
                                    "alerts defined again", "exit"])
    screen = re.sub(r"Changes committed: .*", "Changes committed: DATE", screen)
    assert screen == transcript(START_EMPTY_SCREEN)
    assert cluster_session(node).defines("alerts")
