"""The session's flow control at the moments a real socket rarely shows on demand: the
transport's writes pause exactly as STARTTLS's 220 goes out (the TLS layer must not take
the socket until they resume). A transport of our own stands in for the socket here;
tests/engine/test_inbound_hostile.py floods real sockets."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from engine.inbound.protocol import SmtpProtocol
from state.model import Certificate, TLSMode
from tests.engine.builders import config, hat, listener
from tests.kit.engine import running_engine


class PausingTransport(asyncio.Transport):
    """Takes writes; pauses its protocol's writing when the 220 to STARTTLS is written."""

    def __init__(self) -> None:
        super().__init__()
        self.written = b""
        self.protocol: Any = None
        self.layered: Any = None  # the protocol set on it later (the TLS layer)

    def write(self, data: Any) -> None:
        self.written += bytes(data)
        if b"220 Go ahead with TLS" in bytes(data):
            self.protocol.pause_writing()

    def set_protocol(self, protocol: Any) -> None:
        self.layered = protocol

    def get_protocol(self) -> Any:
        return self.layered or self.protocol

    def is_closing(self) -> bool:
        return False

    def close(self) -> None:
        pass

    def abort(self) -> None:
        pass

    def get_write_buffer_size(self) -> int:
        return 0

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return ("127.0.0.1", 4242) if name == "peername" else default

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass


async def test_starttls_waits_for_paused_writes(tmp_path: Path, test_cert: Certificate) -> None:
    cfg = config(listener(the_hat=hat(TLSMode.PREFERRED)), certificates=(test_cert,))
    async with running_engine(tmp_path, cfg) as engine:
        [running] = engine._listeners.running.values()  # type: ignore[union-attr]
        session = SmtpProtocol(running)
        transport = PausingTransport()
        transport.protocol = session
        session.connection_made(transport)
        session.data_received(b"EHLO client.test\r\nSTARTTLS\r\n")
        assert transport.written.endswith(b"220 Go ahead with TLS\r\n")
        assert transport.layered is None  # its writes wait: no TLS layer yet
        session.resume_writing()
        assert transport.layered is not None  # now the layer has the socket
        session.abort()  # closes the layer's transport
        session.connection_lost(None)
