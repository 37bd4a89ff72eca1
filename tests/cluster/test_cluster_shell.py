"""The cluster shell in-process over real data dirs and a real PostgreSQL: clusterconfig
create and join, clustermode and the prompt, the NOTICE dialogs, clustercheck."""

from __future__ import annotations

from collections.abc import Callable

from tests.cluster.kit import PASSPHRASE, Box, Database, shell_screen

Boxes = Callable[..., Box]


async def test_explore(boxes: Boxes, database: Database) -> None:
    a = boxes("a")
    screen = await shell_screen(a, ["clusterconfig", "2", "Gateways", database.address,
                                    database.password, "a",
                                    PASSPHRASE, PASSPHRASE, "clustermode", "3",
                                    "destconfig", "", "clustercheck", "y", "exit"])
    print(screen)
    b = boxes("b", "127.0.0.2")
    screen = await shell_screen(b, ["clusterconfig", "3", database.address, database.password,
                                    "b", "", PASSPHRASE,
                                    "y", "clusterconfig", "LIST", "CONNSTATUS", "", "exit"])
    print(screen)
