"""Password guessers for the login tests, run as their own process so that their CPU and
GIL do not slow the test's SMTP client: `python -m tests.e2e.guessers PORT BIND COUNT`
keeps COUNT connections at a time offering wrong passwords from BIND until its standard
input closes, printing the count of passwords offered after each."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable

import asyncssh


class Guesser(asyncssh.SSHClient):
    """Offers a new wrong password each time the server asks."""

    def __init__(self, tried: Callable[[], None]) -> None:
        self.tries = 0
        self._tried = tried

    def password_auth_requested(self) -> str:
        self.tries += 1
        self._tried()
        return f"wrong-{self.tries}"


async def guess(port: int, bind: str, tried: Callable[[], None] = lambda: None) -> int:
    """One connection's worth of wrong passwords; how many the server was offered."""
    guesser = Guesser(tried)
    try:
        conn, _ = await asyncssh.create_connection(
            lambda: guesser, "127.0.0.1", port, username="admin", local_addr=(bind, 0),
            known_hosts=None, client_keys=None, agent_path=None, preferred_auth="password")
        conn.close()
    except (asyncssh.Error, OSError):
        pass
    return guesser.tries


async def main(port: int, bind: str, count: int) -> None:
    tries = 0

    def tried() -> None:
        nonlocal tries
        tries += 1
        print(f"tries {tries}", flush=True)

    async def one() -> None:
        while True:
            await guess(port, bind, tried)

    workers = [asyncio.create_task(one()) for _ in range(count)]
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.read)  # until the test closes our input
    for worker in workers:
        worker.cancel()
    await asyncio.gather(*workers, return_exceptions=True)
    print(f"total {tries}", flush=True)


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), sys.argv[2], int(sys.argv[3])))
