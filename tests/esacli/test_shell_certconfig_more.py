"""certconfig NEW, EDIT, IMPORT/EXPORT, DELETE, PRINT and CERTAUTHORITY transcripts,
with the bad input of issue 4: each error answered with the appliance's message and
the question asked again, nothing else lost."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from cryptography import x509

from state import certs, model
from state.defaults import DEMO_CERT
from state.model import Certificate
from state.session import Session
from tests.kit.certs import Chain, SigningCA, pem_lines
from tests.kit.shell import run_shell, transcript

NEW = ["certconfig", "", "certificate", "new", "mailcert", "mail example", "y", "mail.example.com",
       "",       "Example Inc", "", "", "", "X1", "us", "", "", "", ""]


def profile(session: Session, name: str) -> Certificate:
    found = model.by_name(session.candidate.certificates, name)
    assert found is not None
    return found


async def test_new_checks_cn_and_country_and_shows_the_csr(session: Session) -> None:
    screen = await run_shell(session, [*NEW, "", "", "exit", "y"])
    assert transcript("""
        Enter Common Name (CN):
        []> mail example

        Do you want to check if Common Name is in Fully Qualified Domain Name(FQDN) format? [N]> y

        The Common Name "mail example" is not in FQDN format.

        Enter Common Name (CN):
        []> mail.example.com

        Do you want to check if Common Name is in Fully Qualified Domain Name(FQDN) format? [N]> $

        Enter Organization (O):
        []> Example Inc
        """) in screen
    assert transcript("""
        Enter Country (2 letter code) (C):
        []> X1

        Country should be a ISO two character country code

        Enter Country (2 letter code) (C):
        []> us

        Enter the host names for the Subject Alternative Name (DNS) extension. Separate multiple host names with commas.
        [mail.example.com]> $

        Duration before expiration (in days):
        [3650]> $

        Enter type and size of private key:
        1. RSA 2048
        2. RSA 3072
        3. RSA 4096
        4. ECDSA P-256
        [4]> $

        Do you want to view the CSR? [Y]> $

        -----BEGIN CERTIFICATE REQUEST-----
        """) in screen
    made = profile(session, "mailcert")
    assert made.csr is not None and made.csr.strip() in screen
    assert session.secrets.has_key(made.key_id)
    assert re.search(r"\nmailcert +mail\.example\.com +mail\.example\.com +Valid +(3649|3650) days",
                     screen)
    assert "PRIVATE KEY" not in screen


async def test_edit_accepts_only_a_certificate_for_the_profiles_key(
    session: Session, chain: Chain
) -> None:
    await run_shell(session, [*NEW, "", "", "exit", "y"])
    csr = profile(session, "mailcert").csr
    assert csr is not None
    ca = SigningCA()
    old = dt.datetime.now(dt.UTC) - dt.timedelta(days=30)
    expired, good = ca.sign(csr, days=2, not_before=old), ca.sign(csr)
    truncated = good.strip().splitlines()[:4]
    lines = ["certconfig", "", "certificate", "edit", "mailcert", "", "y",
             "garbage", ".", *truncated, ".", *pem_lines(chain.leaf), *pem_lines(expired), "",
             *pem_lines(good), "y", *pem_lines(chain.intermediate),  # not its issuer
             "y", *pem_lines(ca.intermediate_pem), "", "", "", "", "exit", "y"]
    screen = await run_shell(session, lines)
    assert screen.count("Invalid certificate...discarding") == 2
    assert transcript("""
        -----END CERTIFICATE-----
        .

        key does not sign certificate

        Paste public certificate in PEM format (end with '.'):
        """) in screen
    assert "The certificate has expired (it was valid until " in screen
    assert "Do you want to use it anyway? [N]> \n" in screen
    assert ("This intermediate certificate did not issue the certificate before it"
            "...discarding") in screen
    edited = profile(session, "mailcert")
    assert edited.chain == (good, ca.intermediate_pem) and edited.csr == csr
    assert re.search(r"\nmailcert +mail\.example\.com +esacli Test Issuing CA +Valid +(89|90) days",
                     screen)


async def test_pkcs12_export_delete_import_round_trip(session: Session, chain: Chain) -> None:
    paste = ["certconfig", "", "certificate", "paste", "partner", *pem_lines(chain.leaf),
             *pem_lines(chain.key), "y", *pem_lines(chain.intermediate), "", ""]
    export = ["export", "partner", "../evil", "partner.p12", "pw-one", "pw-two", "pw-one",
              "pw-one"]
    again = ["export", "partner", "partner.p12", "n", ""]  # kept: No, then no name
    delete = ["delete", "partner", "y"]
    import_ = ["import", "partner", "nothere.p12", "partner.p12", "bad-pass", "pw-one", "", "", "",
               "exit", "y"]
    screen = await run_shell(session, paste + export + again + delete + import_)
    assert 'The file "partner.p12" already exists. Do you want to overwrite it? [N]> n' in screen
    assert screen.count('File "partner.p12" written.') == 1
    path = session.store.data_dir / "configuration" / "partner.p12"
    assert path.stat().st_mode & 0o777 == 0o600
    assert b"PRIVATE KEY" not in path.read_bytes()
    assert transcript("""
        Create a passphrase for file partner.p12: $

        Confirm the passphrase for file partner.p12: $

        The passphrases do not match.

        Create a passphrase for file partner.p12: $

        Confirm the passphrase for file partner.p12: $

        File "partner.p12" written.
        """) in screen
    assert "pw-one" not in screen and "bad-pass" not in screen
    assert transcript("""
        []> nothere.p12

        the file nothere.p12 does not exist.
        """) in screen
    assert "\nEnter passphrase: \n\nThe passphrase is wrong or the file is not a PKCS#12 file.\n" \
        in screen
    back = profile(session, "partner")
    assert back.chain == (chain.leaf, chain.intermediate)
    assert certs.key_id(certs.parse_private_key(chain.key)) == back.key_id
    assert screen.count("Valid characters are letters") == 1  # ../evil refused


async def test_delete_in_use_is_refused_and_print_names_the_users(session: Session) -> None:
    lines = ["certconfig", "", "certificate", "delete", "Demo", "", "print", "", "", "exit"]
    screen = await run_shell(session, lines)
    assert transcript("""
        Select the certificate profile you wish to delete:
        1. Demo
        []> Demo

        The certificate profile "Demo" cannot be deleted: it is used by listener "InboundMail", listener "OutboundMail", the outbound TLS client certificate (destconfig SETUP).

        Select the certificate profile you wish to delete:
        1. Demo
        []> $
        """) in screen
    assert transcript("""
        []> print

        Service                           Certificate Profile
        --------------------------------  -------------------
        Listener InboundMail              Demo
        Listener OutboundMail             Demo
        Outbound TLS client (destconfig)  Demo
        """) in screen
    assert not session.pending and model.by_name(session.candidate.certificates, DEMO_CERT)


async def test_certauthority_custom_and_system(session: Session) -> None:
    ca = SigningCA()
    lines = ["certconfig", "", "certauthority", "custom", "import", "2", "garbage", ".",
             *pem_lines(ca.root_pem), "print", "disable", "", "system", "disable", "", "", "",
             "exit", "y"]
    screen = await run_shell(session, lines)
    assert transcript("""
        Paste the Certificate Authorities in PEM format (end with '.'):
        garbage
        .

        Could not read PEM data from file.
        """) in screen
    assert "Certificate Authorities added: esacli Test Root CA" in screen
    assert "Custom Certificate Authorities: Enabled (1 certificate)" in screen
    assert "Custom Certificate Authorities: Disabled (1 certificate)" in screen
    assert "- ENABLE - Enable the list." in screen
    auth = session.candidate.authorities
    assert (auth.system_enabled, auth.custom_enabled) == (False, False)
    assert [c.name for c in auth.custom] == ["esacli Test Root CA"]
    assert auth.custom[0].pem == ca.root_pem


# -- the subject's bounds (RFC 5280 appendix A): refused at its question, asked again ------
def subject_of(session: Session, name: str) -> str:
    csr = profile(session, name).csr
    assert csr is not None
    return x509.load_pem_x509_csr(csr.encode()).subject.rfc4514_string()


async def test_new_refuses_a_long_common_name_and_asks_again(session: Session) -> None:
    lines = ["certconfig", "", "certificate", "new", "mailcert", "a" * 65, "mail.example.com",
             "", "Example Inc", "", "", "", "us", "", "", "", "n", "", "", "exit", "y"]
    screen = await run_shell(session, lines)
    assert transcript("""
        Enter a name for this certificate profile:
        > mailcert

        Enter Common Name (CN):
        []> {cn}

        The Common Name (CN) must be at most 64 characters long (a character outside ASCII counts as 2 to 4).

        Enter Common Name (CN):
        []> mail.example.com

        Do you want to check if Common Name is in Fully Qualified Domain Name(FQDN) format? [N]> $

        Enter Organization (O):
        []> Example Inc
        """).replace("{cn}", "a" * 65) in screen
    assert "application fault" not in screen
    assert subject_of(session, "mailcert") == "CN=mail.example.com,O=Example Inc,C=US"


async def test_new_refuses_control_characters_and_long_attributes(session: Session) -> None:
    long_o, long_l, long_st = "O" * 5000, "L" * 129, "S" * 129
    lines = ["certconfig", "", "certificate", "new", "mailcert", "mail\x1b[31m\x07.example.com",
             "mail.example.com", "", long_o, "Example Inc", "IT\x07", "IT", long_l, "L" * 128,
             long_st, "Illinois", "u\x1b", "us", "", "", "", "n", "", "", "exit", "y"]
    screen = await run_shell(session, lines)
    expected = transcript("""
        Enter Common Name (CN):
        []> mail\\x1b[31m\\x07.example.com

        The Common Name (CN) must not contain control characters.

        Enter Common Name (CN):
        []> mail.example.com

        Do you want to check if Common Name is in Fully Qualified Domain Name(FQDN) format? [N]> $

        Enter Organization (O):
        []> {long_o}

        The Organization (O) must be at most 64 characters long (a character outside ASCII counts as 2 to 4).

        Enter Organization (O):
        []> Example Inc

        Enter Organizational Unit (OU):
        []> IT\\x07

        The Organizational Unit (OU) must not contain control characters.

        Enter Organizational Unit (OU):
        []> IT

        Enter Locality or City (L):
        []> {long_l}

        The Locality (L) must be at most 128 characters long (a character outside ASCII counts as 2 to 4).

        Enter Locality or City (L):
        []> {ok_l}

        Enter State or Province (ST):
        []> {long_st}

        The State or Province (ST) must be at most 128 characters long (a character outside ASCII counts as 2 to 4).

        Enter State or Province (ST):
        []> Illinois

        Enter Country (2 letter code) (C):
        []> u\\x1b

        Country should be a ISO two character country code

        Enter Country (2 letter code) (C):
        []> us
        """)
    for field, value in (("long_o", long_o), ("long_l", long_l), ("ok_l", "L" * 128),
                         ("long_st", long_st)):
        expected = expected.replace("{" + field + "}", value)
    assert expected in screen
    assert "\x1b" not in screen and "\x07" not in screen
    assert subject_of(session, "mailcert") == (
        f"CN=mail.example.com,OU=IT,O=Example Inc,L={'L' * 128},ST=Illinois,C=US")


@pytest.mark.parametrize("refused", [[], ["a" * 65]], ids=["first", "asked-again"])
async def test_ctrl_c_at_the_common_name_returns_to_the_prompt(
    session: Session, refused: list[str]
) -> None:
    lines = ["certconfig", "", "certificate", "new", "mailcert", *refused, "\x03", "exit"]
    screen = await run_shell(session, lines)
    assert transcript("""
        Enter Common Name (CN):
        []> $

        mail.example.com> exit
        """) in screen
    assert screen.count("must be at most 64 characters") == len(refused)
    assert not session.pending
    assert model.by_name(session.candidate.certificates, "mailcert") is None
