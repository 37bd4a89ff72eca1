"""MTA-STS (RFC 8461): the `_mta-sts` TXT record, the policy file, MX patterns, and the fetch
of `https://mta-sts.<domain>/.well-known/mta-sts.txt` over verified HTTPS.

Pure: `parse_txt` (§3.1: exactly one `v=STSv1` record with an id of 1-32 letters and
digits, else none), `parse_policy` (§3.2: version STSv1, mode enforce/testing/none, `mx`
patterns, max_age up to 31557600), `mx_matches` (§4.1: a pattern is a name or `*.` and a
name; the wildcard stands for exactly one left-most label).

`fetch_policy` uses httpx: the address of mta-sts.<domain> comes from the appliance's own
resolver, the TLS name checked (and sent as SNI) is mta-sts.<domain>, the chain must end
at a CA the appliance trusts (certconfig CERTAUTHORITY: the system list and the custom
list; tests add their CA there), redirects are refused (§3.3), the status must be 200 and
the media type text/plain, the body at most `MAX_POLICY` bytes, all within `timeout`
(one deadline for the whole fetch: httpx's timeout bounds each read only).
Failures are typed as TLS-RPT reports them: sts-webpki-invalid (the certificate),
sts-policy-invalid (the file), sts-policy-fetch-error (anything else).
"""

from __future__ import annotations

import asyncio
import re
import ssl
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import httpx

from engine import tls
from engine.outbound import reasons, webclient
from engine.outbound.policy import name_matches
from engine.outbound.precedence import StsMode
from state.authorities import trusted_pem
from state.model import Authorities
from state.validate_outbound import is_host, is_ip

HTTPS_PORT = 443
MAX_POLICY = 64 * 1024
MAX_AGE_LIMIT = 31557600
FETCH_TIMEOUT = 10.0
WELL_KNOWN = "/.well-known/mta-sts.txt"
_ID = re.compile(r"^[A-Za-z0-9]{1,32}$")
_FIELD = re.compile(r"^([A-Za-z0-9_.-]+)[ \t]*:[ \t]*(.*?)[ \t]*$")
_MODES = {m.value: m for m in StsMode}

WEBPKI, INVALID, FETCH = "sts-webpki-invalid", "sts-policy-invalid", "sts-policy-fetch-error"


class PolicyError(ValueError):
    """The policy file is not a valid STSv1 policy (the message says why)."""


@dataclass(frozen=True)
class Policy:
    mode: StsMode
    mx: tuple[str, ...]
    max_age: int
    text: str  # as served (normalised to LF), for TLS-RPT policy-string

    @property
    def lines(self) -> list[str]:
        return [line for line in self.text.split("\n") if line.strip()]


def parse_txt(strings: list[str]) -> str | None:
    """The policy id of the `_mta-sts` TXT RRset (each record's strings joined), or None."""
    records = [s for s in strings if re.match(r"^v[ \t]*=[ \t]*STSv1[ \t]*(;|$)", s)]
    if len(records) != 1:
        return None
    fields: dict[str, str] = {}
    for part in records[0].split(";"):
        if not part.strip():
            continue
        key, sep, value = part.partition("=")
        if not sep:
            return None
        fields.setdefault(key.strip(), value.strip())
    ident = fields.get("id", "")
    return ident if _ID.match(ident) else None


def parse_policy(text: str) -> Policy:
    fields: dict[str, str] = {}
    mx: list[str] = []
    lines = text.replace("\r\n", "\n").split("\n")
    for line in lines:
        if not line.strip():
            continue
        found = _FIELD.match(line)
        if found is None:
            raise PolicyError(reasons.POLICY_NOT_FIELD.format(line=line[:40]))
        key, value = found.group(1), found.group(2)
        if key == "mx":
            mx.append(value.lower().rstrip("."))
        else:
            fields.setdefault(key, value)
    if fields.get("version") != "STSv1":
        raise PolicyError(reasons.POLICY_VERSION)
    mode = _MODES.get(fields.get("mode", ""))
    if mode is None:
        raise PolicyError(reasons.POLICY_MODE.format(mode=fields.get("mode", "")))
    age = fields.get("max_age", "")
    if not re.fullmatch(r"[0-9]{1,10}", age) or int(age) > MAX_AGE_LIMIT:
        raise PolicyError(reasons.POLICY_MAX_AGE.format(age=age, limit=MAX_AGE_LIMIT))
    if mode is not StsMode.NONE and not mx:
        raise PolicyError(reasons.POLICY_NO_MX)
    if any(not _pattern_ok(p) for p in mx):
        raise PolicyError(reasons.POLICY_BAD_MX)
    return Policy(mode, tuple(mx), int(age), "\n".join(lines).strip() + "\n")


def _pattern_ok(pattern: str) -> bool:
    name = pattern.removeprefix("*.")
    return is_host(name) and not is_ip(name)


def mx_matches(patterns: tuple[str, ...], host: str) -> bool:
    """§4.1: does the MX host name fit one of the policy's patterns?"""
    return any(name_matches(pattern, host) for pattern in patterns)


def facts(policy: Policy | None, mx_host: str) -> tuple[StsMode, bool]:
    """(mode, MX matches) for `precedence.Facts`; no policy means NONE."""
    if policy is None:
        return StsMode.NONE, False
    return policy.mode, mx_matches(policy.mx, mx_host)


# -- the fetch ----------------------------------------------------------------


@dataclass(frozen=True)
class Fetched:
    policy: Policy | None = None
    error: str = ""  # reasons.STS_* text when the fetch failed
    result_type: str = ""  # WEBPKI, INVALID or FETCH when it failed


def policy_host(domain: str) -> str:
    return "mta-sts." + domain.strip().lower().rstrip(".")


def https_context(authorities: Authorities, extra_pem: str = "") -> ssl.SSLContext:
    """Verify as a browser would, against the CAs the appliance trusts (+ `extra_pem`)."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.verify_mode = ssl.CERT_REQUIRED
    ctx.check_hostname = True
    tls.load_trust(ctx, trusted_pem(authorities) + extra_pem)
    return ctx


@dataclass(frozen=True)
class FetchOptions:
    """Deployment parameters (tests run the HTTPS server on a free loopback port)."""

    port: int = HTTPS_PORT
    timeout: float = FETCH_TIMEOUT
    limit: int = MAX_POLICY


async def fetch_policy(
    host: str, addresses: list[str], ctx: ssl.SSLContext, options: FetchOptions = FetchOptions()
) -> Fetched:
    """GET the policy from `host` at each of its `addresses` until one answers, all of it
    within `options.timeout`: a host that sends its body a byte at a time, each byte
    within httpx's timeout of one read, would otherwise hold the fetch for as long as it
    liked (and every caller with it: delivery, the refresh, mtastsconfig)."""
    failed = Fetched(
        error=reasons.NO_ADDRESS.format(host=host), result_type=FETCH
    )
    try:
        async with asyncio.timeout(options.timeout):
            async with webclient.client(ctx, options.timeout) as client:
                for ip in addresses:
                    failed = await _fetch_one(client, host, ip, options)
                    if failed.policy is not None or failed.result_type == INVALID:
                        return failed
    except TimeoutError:
        return _fetch_error(_url(host), reasons.STS_TIMEOUT)
    return failed


Addresses = Callable[[str], Awaitable[tuple[list[str], str]]]  # Resolver.addresses


@dataclass(frozen=True)
class WebTarget:
    """An HTTPS request to `host` sent to one of its addresses, found by our own resolver:
    the URL names the address, Host and SNI name the host, and TLS checks that name."""

    url: str
    headers: dict[str, str]
    extensions: dict[str, str]


def web_target(host: str, ip: str, port: int, path: str) -> WebTarget:
    literal = f"[{ip}]" if ":" in ip else ip
    hostport = host if port == HTTPS_PORT else f"{host}:{port}"
    return WebTarget(f"https://{literal}:{port}{path}", {"Host": hostport},
                     {"sni_hostname": host})


async def _fetch_one(
    client: httpx.AsyncClient, host: str, ip: str, options: FetchOptions
) -> Fetched:
    target = web_target(host, ip, options.port, WELL_KNOWN)
    shown = _url(host)
    try:
        async with client.stream(
            "GET", target.url, headers={**target.headers, "Accept": "text/plain"},
            extensions=target.extensions,
        ) as response:
            body = await _read(response, options.limit)
    except ssl.SSLCertVerificationError as exc:
        why = reasons.STS_WEBPKI.format(host=host, reason=exc.verify_message or exc.reason)
        return Fetched(error=why, result_type=WEBPKI)
    except httpx.TimeoutException:
        return _fetch_error(shown, reasons.STS_TIMEOUT)
    except _Refused as exc:
        return _fetch_error(shown, str(exc))
    except httpx.HTTPError as exc:
        cause = _webpki_cause(exc)
        if cause is not None:
            why = reasons.STS_WEBPKI.format(host=host, reason=cause.verify_message or cause.reason)
            return Fetched(error=why, result_type=WEBPKI)
        return _fetch_error(shown, str(exc) or type(exc).__name__)
    try:
        return Fetched(policy=parse_policy(body.decode("utf-8")))
    except (PolicyError, UnicodeDecodeError) as exc:
        return Fetched(error=reasons.STS_INVALID.format(reason=exc), result_type=INVALID)


def _url(host: str) -> str:
    """The policy's URL as messages show it (not the address it was fetched from)."""
    return f"https://{host}{WELL_KNOWN}"


class _Refused(Exception):
    """The server answered, but not with a policy we may use."""


async def _read(response: httpx.Response, limit: int) -> bytes:
    if response.is_redirect:
        raise _Refused(reasons.STS_REDIRECT.format(location=response.headers.get("location", "")))
    if response.status_code != 200:
        raise _Refused(reasons.STS_HTTP_STATUS.format(status=response.status_code))
    media = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "text/plain":
        raise _Refused(reasons.STS_CONTENT_TYPE.format(media=media or "(none)"))
    body = bytearray()
    async for chunk in response.aiter_bytes():
        body += chunk
        if len(body) > limit:
            raise _Refused(reasons.STS_TOO_LARGE.format(limit=limit))
    return bytes(body)


def _webpki_cause(exc: BaseException) -> ssl.SSLCertVerificationError | None:
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, ssl.SSLCertVerificationError):
            return cause
        cause = cause.__cause__ or cause.__context__
    return None


def _fetch_error(url: str, why: str) -> Fetched:
    return Fetched(error=reasons.STS_FETCH_FAILED.format(url=url, reason=why), result_type=FETCH)
