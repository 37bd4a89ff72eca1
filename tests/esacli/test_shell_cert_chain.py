"""A whole chain pasted at "Paste public certificate" (issue 8 item 9): the first
certificate is the leaf, the rest its intermediates, and the shell says so."""

from __future__ import annotations

from state import model
from state.session import Session
from tests.kit.certs import Chain, pem_lines
from tests.kit.shell import run_shell, transcript


def block(*pems: str) -> list[str]:
    """Several PEM blocks pasted as one, ending with the `.` line."""
    return [line for pem in pems for line in pem.strip().splitlines()] + ["."]


async def test_a_pasted_chain_fills_the_intermediates(session: Session, chain: Chain) -> None:
    lines = ["certconfig", "", "certificate", "paste", "partner",
             *block(chain.intermediate, chain.leaf),  # out of order: asked again
             *block(chain.leaf, chain.intermediate), *pem_lines(chain.key),
             "", "", "", "", "exit", "y"]
    screen = await run_shell(session, lines)
    expected = transcript("""
        Paste public certificate in PEM format (end with '.'):
        {inter}
        {leaf}
        .

        This intermediate certificate did not issue the certificate before it...discarding

        Paste public certificate in PEM format (end with '.'):
        {leaf}
        {inter}
        .

        The paste holds a chain of 2 certificates: the first is used as the certificate, the others as its intermediate certificates.

        Paste private key in PEM format (end with '.'):
        """)
    leaf, inter = chain.leaf.strip(), chain.intermediate.strip()
    assert expected.replace("{leaf}", leaf).replace("{inter}", inter) in screen
    assert "Do you want to add another intermediate certificate? [N]> \n" in screen
    profile = model.by_name(session.candidate.certificates, "partner")
    assert profile is not None
    assert profile.chain == (chain.leaf, chain.intermediate)
