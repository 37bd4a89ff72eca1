"""certconfig's intermediate certificates and private keys over OpenSSH with a pty,
against `esacli run`.

After "Do you want to add an intermediate certificate? y", an empty paste (`.` alone)
ends the intermediates and keeps the certificate, as on the appliance; garbage, or a
certificate that did not issue the one before it, is discarded and the question asked
again, so No leaves with the certificate already pasted. Before, both were asked again
forever, and Ctrl-C, the only way out, dropped the certificate. Ctrl-C and Ctrl-D at
these questions leave the dialog as everywhere (nothing staged). An encrypted private
key is refused saying so and how to give one. The appliance serves mail and SSH after.
"""

from __future__ import annotations

import pexpect
from cryptography.hazmat.primitives import serialization

from state import certs, model
from tests.kit.appliance import Appliance, committed, mail_flows
from tests.kit.certs import Chain, make_chain
from tests.kit.ssh import PROMPT, answer, no_traceback, paste, screen, ssh_login

CTRL_C, CTRL_D = "\x03", "\x04"
ADD = "Do you want to add an intermediate certificate? [N]>"
ANOTHER = "Do you want to add another intermediate certificate? [N]>"
PASTE_INTERMEDIATE = "Paste intermediate certificate in PEM format (end with '.'):"
PASTE_KEY = "Paste private key in PEM format (end with '.'):"
FQDN = "Name(FQDN) format? [N]>"
ENCRYPTED = ("Encrypted private key ...discarding. A key protected by a passphrase is not"
             " accepted here: paste it decrypted (openssl pkey -in <key file>), or put the"
             " certificate and its key in a PKCS#12 file and use IMPORT, which asks for its"
             " passphrase.")


def open_certificates(child: pexpect.spawn) -> None:
    child.sendline("certconfig")
    answer(child, "Press Enter to continue.", "")
    answer(child, "[]> ", "certificate")


def paste_partner(child: pexpect.spawn, chain: Chain) -> None:
    """CERTIFICATE -> PASTE partner: the certificate and its key, up to the ADD question."""
    answer(child, "[]> ", "paste")
    answer(child, "> ", "partner")
    child.expect_exact("Paste public certificate in PEM format (end with '.'):")
    paste(child, chain.leaf)
    child.expect_exact(PASTE_KEY)
    paste(child, chain.key)
    child.expect_exact(ADD)


def to_intermediate_paste(child: pexpect.spawn, chain: Chain) -> None:
    """From the prompt: certconfig -> CERTIFICATE -> PASTE partner, ADD answered y."""
    open_certificates(child)
    paste_partner(child, chain)
    child.sendline("y")
    child.expect_exact(PASTE_INTERMEDIATE)


def leave_with(child: pexpect.spawn, key: str) -> None:
    child.send(key)
    child.expect_exact(PROMPT)


def nothing_staged(child: pexpect.spawn) -> None:
    child.sendline("showchanges")
    child.expect_exact("{'standalone': {'': {}}}")
    child.expect_exact(PROMPT)


def still_serving(app: Appliance) -> None:
    mail_flows(app)
    other = ssh_login(app)
    other.sendline("exit")
    other.expect(pexpect.EOF)
    no_traceback(app.console(), "the appliance's output")


def test_an_empty_or_refused_intermediate_keeps_the_certificate(appliance: Appliance) -> None:
    chain = make_chain()
    me = ssh_login(appliance)
    to_intermediate_paste(me, chain)
    me.sendline(".")  # an empty paste: no intermediate, the certificate kept
    answer(me, FQDN, "n")
    answer(me, "[]> ", "edit")  # EDIT, as the tester found it
    answer(me, "[]> ", "partner")
    answer(me, "Would you like to update the public certificate? [N]>", "y")
    me.expect_exact("Paste public certificate in PEM format (end with '.'):")
    paste(me, chain.intermediate + chain.leaf)  # the chain upside down
    me.expect_exact("The certificate of this key is number 2 of the paste: paste it first")
    me.expect_exact("Paste public certificate in PEM format (end with '.'):")
    paste(me, chain.leaf)
    answer(me, ADD, "y")
    me.expect_exact(PASTE_INTERMEDIATE)
    paste(me, "garbage")
    me.expect_exact("Invalid certificate...discarding")
    answer(me, ADD, "y")  # the question again, not the paste
    me.expect_exact(PASTE_INTERMEDIATE)
    paste(me, chain.leaf)  # a certificate, but not the leaf's issuer
    me.expect_exact("This intermediate certificate did not issue the certificate before it")
    answer(me, ADD, "y")
    me.expect_exact(PASTE_INTERMEDIATE)
    paste(me, chain.intermediate)
    answer(me, ANOTHER, "y")
    me.expect_exact(PASTE_INTERMEDIATE)
    paste(me, "more garbage")
    me.expect_exact("Invalid certificate...discarding")
    answer(me, ANOTHER, "")  # No leaves, with what was pasted
    answer(me, FQDN, "n")
    answer(me, "[]> ", "")
    answer(me, "[]> ", "")
    me.expect_exact(PROMPT)
    me.sendline("commit")
    answer(me, "[]> ", "partner with its intermediate")
    me.expect_exact("Changes committed: ")
    profile = model.by_name(committed(appliance.data).certificates, "partner")
    assert profile is not None and profile.chain == (chain.leaf, chain.intermediate)
    me.sendline("exit")
    me.expect(pexpect.EOF)
    still_serving(appliance)


def test_ctrl_c_and_ctrl_d_at_the_intermediate_questions(appliance: Appliance) -> None:
    chain = make_chain()
    me = ssh_login(appliance)
    to_intermediate_paste(me, chain)
    paste(me, "garbage")
    me.expect_exact("Invalid certificate...discarding")
    me.expect_exact(ADD)
    leave_with(me, CTRL_C)  # at the question asked again
    nothing_staged(me)
    to_intermediate_paste(me, chain)
    leave_with(me, CTRL_D)  # in the intermediate's paste
    nothing_staged(me)
    to_intermediate_paste(me, chain)
    paste(me, chain.leaf)
    me.expect_exact("did not issue the certificate before it")
    me.expect_exact(ADD)
    leave_with(me, CTRL_D)
    nothing_staged(me)
    me.sendline("exit")
    me.expect(pexpect.EOF)
    still_serving(appliance)


def encrypted(key_pem: str, form: serialization.PrivateFormat) -> str:
    key = certs.parse_private_key(key_pem)
    locked = serialization.BestAvailableEncryption(b"a passphrase")
    return key.private_bytes(serialization.Encoding.PEM, form, locked).decode()


def test_an_encrypted_key_is_refused_saying_why(appliance: Appliance) -> None:
    chain = make_chain()
    me = ssh_login(appliance)
    open_certificates(me)
    answer(me, "[]> ", "paste")
    answer(me, "> ", "partner")
    me.expect_exact("Paste public certificate in PEM format (end with '.'):")
    paste(me, chain.leaf)
    for form in (serialization.PrivateFormat.PKCS8,
                 serialization.PrivateFormat.TraditionalOpenSSL):
        me.expect_exact(PASTE_KEY)
        paste(me, encrypted(chain.key, form))
        me.expect_exact(ENCRYPTED)
    me.expect_exact(PASTE_KEY)
    paste(me, "not a key")
    me.expect_exact(PASTE_KEY)
    said = screen(me)  # an unreadable key is not called encrypted
    assert "Invalid private key ...discarding" in said and "Encrypted" not in said
    paste(me, encrypted(chain.key, serialization.PrivateFormat.PKCS8))
    me.expect_exact(ENCRYPTED)
    me.expect_exact(PASTE_KEY)
    leave_with(me, CTRL_C)  # at the key's paste asked again
    nothing_staged(me)
    me.sendline("exit")
    me.expect(pexpect.EOF)
    still_serving(appliance)
