"""Every message `state/` gives an administrator, written once (the catalogue).

A message is a `Template`: a code and a text with `{fields}`. Calling it with the fields
gives a `Message`: the text itself (a `str`) that also carries its `code` and `params`.
Every error of `state/` carries one (`state.errors`), and the functions that say why a
value is refused return one; the shell prints it as it is. Nothing outside this module
writes the wording. Texts follow the appliance's style where it has one; the rest is ours.

Grouped by what they concern; `CODES` checks that each code is used once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, Self


class Message(str):
    """One message as said: the text, with the code of its template and the values
    filled in (so it compares, prints and formats as the text it is)."""

    code: str
    params: Mapping[str, object]

    def __new__(cls, code: str, text: str, params: Mapping[str, object]) -> Self:
        said = super().__new__(cls, text)
        said.code, said.params = code, dict(params)
        return said

    @property
    def text(self) -> str:
        return str.__str__(self)


@dataclass(frozen=True)
class Template:
    code: str
    text: str

    def __call__(self, **params: object) -> Message:
        return Message(self.code, self.text.format(**params), params)


# -- numbers and sizes (state.numbers, state.ranges) ------------------------------------
INT_RANGE: Final = Template("INT_RANGE", "The value must be an integer from {low} to {high}.")
DECIMAL_RANGE: Final = Template(
    "DECIMAL_RANGE", "The value must be a number greater than {low} and at most {high}.")
SIZE_RANGE: Final = Template(
    "SIZE_RANGE", "The value must be from 1 byte to {megabytes}M ({bytes} bytes).")
SIZE_FORMAT: Final = Template(
    "SIZE_FORMAT",
    "The value must be a number of bytes, optionally followed by k for kilobytes"
    " or M for megabytes.")
ENTER_A_VALUE: Final = Template("ENTER_A_VALUE", "Please enter a value.")

# -- names, host names, addresses ---------------------------------------------------------
NAME_USED_TWICE: Final = Template("NAME_USED_TWICE", 'The name "{name}" is used more than once.')
INVALID_NAME: Final = Template("INVALID_NAME", 'Invalid name "{name}".')
NAME_CHARACTERS: Final = Template(
    "NAME_CHARACTERS",
    'Valid characters are letters, digits, "-", "_" and "." (at most 64 characters).')
NAME_ALL_DIGITS: Final = Template(
    "NAME_ALL_DIGITS", "A name cannot be all digits: a number picks a row of a list.")
NAME_RESERVED: Final = Template("NAME_RESERVED", 'The name "{name}" is reserved.')
INVALID_HOSTNAME_REPR: Final = Template(
    "INVALID_HOSTNAME_REPR", "Invalid hostname format: {name!r}")
INVALID_HOSTNAME: Final = Template("INVALID_HOSTNAME", 'Invalid hostname format: "{name}".')
INVALID_IP_REPR: Final = Template("INVALID_IP_REPR", "Invalid IP address {ip!r}")
INVALID_IP: Final = Template("INVALID_IP", 'Invalid IP address "{ip}".')
INVALID_EMAIL: Final = Template("INVALID_EMAIL", 'Invalid email address "{address}".')
INVALID_DOMAIN: Final = Template("INVALID_DOMAIN", 'Invalid domain "{domain}".')
DOMAIN_USED_TWICE: Final = Template(
    "DOMAIN_USED_TWICE", 'The domain "{domain}" is used more than once.')
DOMAIN_NOT_NORMAL: Final = Template(
    "DOMAIN_NOT_NORMAL", 'The domain "{domain}" must be lower case, without a final dot.')
ADDRESS_USED_TWICE: Final = Template(
    "ADDRESS_USED_TWICE", 'The address "{address}" is used more than once.')

# -- interfaces and listeners ---------------------------------------------------------------
UNKNOWN_INTERFACE: Final = Template("UNKNOWN_INTERFACE", 'Unknown interface "{name}".')
UNKNOWN_CERTIFICATE: Final = Template("UNKNOWN_CERTIFICATE", 'Unknown certificate "{name}".')
PORT_TAKEN: Final = Template(
    "PORT_TAKEN", "Listener {other} already uses interface {interface} port {port}.")
CANNOT_LISTEN: Final = Template(
    "CANNOT_LISTEN",
    "Listener {listener} cannot listen on port {port} of interface {interface} ({ip}): {why}.")
LISTENER_NAME_TAKEN: Final = Template(
    "LISTENER_NAME_TAKEN", 'A listener named "{name}" already exists.')

# -- mail flow policies and the HAT (§4) ------------------------------------------------------
DEFAULT_POLICY_MUST_SET: Final = Template(
    "DEFAULT_POLICY_MUST_SET", "The default policy must set this value.")
BANNER_HOST_INVALID: Final = Template("BANNER_HOST_INVALID", 'Invalid hostname format: "{host}"')
INVALID_SMTP_CODE: Final = Template("INVALID_SMTP_CODE", "Invalid SMTP code {code}.")
RESPONSE_TEXT_EMPTY: Final = Template(
    "RESPONSE_TEXT_EMPTY", "The response text cannot be empty.")
UNKNOWN_POLICY: Final = Template("UNKNOWN_POLICY", 'Unknown policy "{name}".')
SELECT_BEHAVIOR: Final = Template("SELECT_BEHAVIOR", "Select a behavior or a policy.")
INVALID_SENDER: Final = Template("INVALID_SENDER", 'Invalid IP or IP range: "{sender}"')
LAST_GROUP_ALL: Final = Template("LAST_GROUP_ALL", "The last sender group must be ALL.")
GROUP_EXISTS: Final = Template("GROUP_EXISTS", 'A sender group named "{name}" already exists.')
POLICY_EXISTS: Final = Template("POLICY_EXISTS", 'A policy named "{name}" already exists.')
POLICY_USED_BY_ALL: Final = Template(
    "POLICY_USED_BY_ALL", 'The policy "{name}" is used by ALL and cannot be deleted.')
ALL_IS_FIXED: Final = Template("ALL_IS_FIXED", "The ALL sender group cannot be changed that way.")
CONN_DEFAULT: Final = Template(
    "CONN_DEFAULT", '"max_conn" can only be "default" when working with policies.')

# -- the RAT (§5) ------------------------------------------------------------------------------
INVALID_RAT_ADDRESS: Final = Template(
    "INVALID_RAT_ADDRESS", 'Invalid recipient address "{address}".')
RAT_LISTED_TWICE: Final = Template(
    "RAT_LISTED_TWICE", 'The address "{address}" is listed more than once.')
RAT_RESPONSE_PAIR: Final = Template(
    "RAT_RESPONSE_PAIR", "A custom response needs both a code and a text.")
LAST_ENTRY_ALL: Final = Template("LAST_ENTRY_ALL", "The last entry must be ALL.")
RAT_ADDRESS_FORMS: Final = Template(
    "RAT_ADDRESS_FORMS",
    "A Recipient Access Table address can be one of the following: a domain (example.com),"
    ' a partial domain (.example.com), a user name ("postmaster@"), a full address'
    " (joe@example.com or joe@[1.2.3.4]), or ALL.")
RAT_EXISTS: Final = Template("RAT_EXISTS", 'The address "{address}" is already in the table.')
RAT_ALL_FIXED: Final = Template("RAT_ALL_FIXED", "The ALL entry cannot be removed.")

# -- the HAT and RAT text formats (state.formats) -------------------------------------------
BAD_BEHAVIOR: Final = Template("BAD_BEHAVIOR", 'Invalid selected behavior: "{word}"')
BAD_BEHAVIOR_WORD: Final = Template("BAD_BEHAVIOR_WORD", "Invalid selected behavior: {word}")
BAD_VALUE: Final = Template("BAD_VALUE", "Invalid value: {value}")
BAD_KEY_VALUE: Final = Template("BAD_KEY_VALUE", 'Invalid "{key}" value: {value}')
EXPECTED_KEY_VALUE: Final = Template("EXPECTED_KEY_VALUE", "Expected key = value, not: {line}")
UNKNOWN_KEY: Final = Template("UNKNOWN_KEY", 'Unknown key "{key}"')
KEY_MISSING: Final = Template("KEY_MISSING", '"{key}" is missing')
MISSING_BRACE: Final = Template("MISSING_BRACE", "Missing closing }}")
POLICY_NO_BEHAVIOR: Final = Template("POLICY_NO_BEHAVIOR", 'The policy "${name}" has no behavior')
GROUP_NO_TARGET: Final = Template("GROUP_NO_TARGET", '"{name}" has no policy or behavior')
UNEXPECTED_INDENT: Final = Template("UNEXPECTED_INDENT", "Unexpected indented line: {line}")
DUPLICATE_POLICY: Final = Template("DUPLICATE_POLICY", 'Duplicate policy "{name}"')
DUPLICATE_GROUP: Final = Template("DUPLICATE_GROUP", 'Duplicate sender group "{name}"')
UNKNOWN_POLICY_REF: Final = Template("UNKNOWN_POLICY_REF", 'Unknown policy "{name}"')
LAST_MUST_BE_ALL: Final = Template("LAST_MUST_BE_ALL", "The last entry must be ALL")
BAD_RAT_LINE: Final = Template("BAD_RAT_LINE", "Invalid entry: {line}")
BAD_RAT_ADDRESS: Final = Template("BAD_RAT_ADDRESS", 'Invalid recipient address: "{address}"')
DUPLICATE_RAT: Final = Template("DUPLICATE_RAT", 'Duplicate entry "{address}"')
BAD_RAT_ACTION: Final = Template("BAD_RAT_ACTION", 'Invalid action: "{action}"')
BAD_RAT_CODE: Final = Template("BAD_RAT_CODE", "Invalid SMTP code: {code}")

# -- destination controls and their INI format (§6) --------------------------------------
DEFAULT_SETS_TLS: Final = Template("DEFAULT_SETS_TLS", "The default must set a TLS mode.")
DEFAULT_MUST_SET: Final = Template("DEFAULT_MUST_SET", "The default must set this value.")
RECIPIENT_LIMIT_PAIR: Final = Template(
    "RECIPIENT_LIMIT_PAIR", "A recipient limit needs both a number and a period.")
UNKNOWN_IP_SORT: Final = Template("UNKNOWN_IP_SORT", 'Unknown IP sort preference "{value}".')
PARAMETER_BEFORE_SECTION: Final = Template(
    "PARAMETER_BEFORE_SECTION", "A parameter appears before the first [section].")
PARAMETER_TWICE: Final = Template("PARAMETER_TWICE", 'The parameter "{key}" is set twice.')
BAD_SECTION: Final = Template("BAD_SECTION", "Invalid section header: {line}")
SECTION_TWICE: Final = Template("SECTION_TWICE", 'The section "{name}" appears twice.')
EXPECTED_PARAMETER: Final = Template("EXPECTED_PARAMETER", "Expected parameter = value: {line}")
UNKNOWN_PARAMETER: Final = Template("UNKNOWN_PARAMETER", 'Unknown parameter "{key}".')
PARAMETER_NO_VALUE: Final = Template("PARAMETER_NO_VALUE", 'The parameter "{key}" has no value.')
DEFAULT_SECTION_SETS: Final = Template("DEFAULT_SECTION_SETS", '[DEFAULT] must set "{key}".')
NO_BOUNCE_PROFILE_DEFAULT: Final = Template(
    "NO_BOUNCE_PROFILE_DEFAULT", "bounce_profile is not allowed in [DEFAULT].")
UNKNOWN_BOUNCE_PROFILE: Final = Template(
    "UNKNOWN_BOUNCE_PROFILE", 'Unknown bounce profile "{value}".')
BAD_IP_SORT_PREF: Final = Template("BAD_IP_SORT_PREF", 'Invalid ip_sort_pref "{value}".')
KEY_REQUIRES: Final = Template("KEY_REQUIRES", '"{key}" requires "{other}".')
KEY_INT_RANGE: Final = Template(
    "KEY_INT_RANGE", '"{key}" must be an integer from {low} to {high}, not "{value}".')
BAD_KEYED_CHOICE: Final = Template(
    "BAD_KEYED_CHOICE", 'Invalid {key} "{value}": one of {choices}.')
DESTINATION_EXISTS: Final = Template(
    "DESTINATION_EXISTS", 'The domain "{domain}" is already in the destination control table.')
DANE_MANDATORY_DEFAULT: Final = Template(
    "DANE_MANDATORY_DEFAULT",
    "The default cannot make DANE mandatory: mail to every domain without DNSSEC would"
    " stop. Choose Opportunistic, or Mandatory for the domains that publish TLSA records.")
DESTINATION_INVALID: Final = Template(
    "DESTINATION_INVALID",
    'Invalid hostname format: "{domain}". Enter a domain such as "example.com",'
    ' a partial domain such as ".example.com", or an IP address.')

# -- smtproutes (§8.2) ------------------------------------------------------------------------
ROUTE_NEEDS_HOST: Final = Template("ROUTE_NEEDS_HOST", "A route needs at least one destination.")
ROUTE_HOST_LIMIT: Final = Template(
    "ROUTE_HOST_LIMIT", "Routes may not contain more than {count} destinations.")
ROUTE_HOST_ALONE: Final = Template(
    "ROUTE_HOST_ALONE", "{host} must be the only destination of a route.")
ROUTE_HOST_NO_PORT: Final = Template("ROUTE_HOST_NO_PORT", "{host} takes no port.")
ROUTE_OTHER_PORT: Final = Template(
    "ROUTE_OTHER_PORT", "The host {host} already has an alternate port ({port}).")
ROUTE_STANDARD_PORT: Final = Template(
    "ROUTE_STANDARD_PORT", "The host {host} is already using the standard port.")
ROUTE_EXISTS: Final = Template(
    "ROUTE_EXISTS", "The value {domain} is already in the routing table.")
ROUTE_INVALID_DOMAIN: Final = Template(
    "ROUTE_INVALID_DOMAIN",
    'Invalid hostname format: "{domain}". Enter a domain such as "example.com",'
    ' a partial domain such as ".example.com", an IP address, or "ALL".')
ROUTE_LIMIT: Final = Template("ROUTE_LIMIT", "There is a maximum of {count} routes.")
ROUTE_DEFAULT_EXISTS: Final = Template(
    "ROUTE_DEFAULT_EXISTS", "There is already a default route set.")
ROUTE_HOST_NOT_FOUND: Final = Template(
    "ROUTE_HOST_NOT_FOUND", "The destination {host} does not appear to be in this route.")
ROUTE_LAST_HOST: Final = Template("ROUTE_LAST_HOST", "A route must keep at least one destination.")

# -- alerts, TLS reporting (§8.8) ------------------------------------------------------------
ALERT_INVALID_ADDRESS: Final = Template(
    "ALERT_INVALID_ADDRESS",
    "An email address is a localname and domain separated by an @, such as"
    ' "joe@example.com".')
ALERT_ADDRESS_EXISTS: Final = Template(
    "ALERT_ADDRESS_EXISTS", 'The address "{address}" already receives alerts.')
CHOOSE_AT_LEAST_ONE: Final = Template("CHOOSE_AT_LEAST_ONE", "Choose at least one.")
UNKNOWN_VALUE: Final = Template("UNKNOWN_VALUE", 'Unknown value "{value}".')
ORGANIZATION_EMPTY: Final = Template(
    "ORGANIZATION_EMPTY", "The organization name cannot be empty.")
ORGANIZATION_FORM: Final = Template(
    "ORGANIZATION_FORM",
    "The organization name must be printable and at most {limit} characters.")
TLSRPT_NEEDS_ADDRESS: Final = Template(
    "TLSRPT_NEEDS_ADDRESS", "TLS reporting needs this address.")

# -- DNS (dnsconfig) --------------------------------------------------------------------------
DNS_INVALID_SERVER: Final = Template("DNS_INVALID_SERVER", 'Invalid IP address: "{ip}"')
DNS_SERVER_EXISTS: Final = Template(
    "DNS_SERVER_EXISTS", "The DNS server {ip} is already configured.")
DNS_SERVER_TWICE: Final = Template(
    "DNS_SERVER_TWICE", 'The DNS server "{server}" is listed more than once.')

# -- sslconfig --------------------------------------------------------------------------------
TLS_VERSION_ORDER: Final = Template(
    "TLS_VERSION_ORDER",
    "The minimum TLS version ({low}) must not be above the maximum ({high}).")
CIPHERS_INVALID: Final = Template("CIPHERS_INVALID", 'Not a valid cipher string: "{ciphers}".')
CIPHERS_EMPTY: Final = Template(
    "CIPHERS_EMPTY", 'Not a valid cipher string: "{ciphers}" (no cipher can be selected).')
CIPHERS_WEAK: Final = Template(
    "CIPHERS_WEAK",
    'The cipher string "{ciphers}" selects ciphers without encryption or'
    " authentication ({names}); add !aNULL:!eNULL.")
CIPHERS_NOT_LEGACY: Final = Template(
    "CIPHERS_NOT_LEGACY",
    'The cipher string "{ciphers}" selects no cipher TLS v1.0 or v1.1 can use'
    " (add for example ECDHE+AES).")

# -- certificates and keys (state.certs, state.secrets) ----------------------------------------
INVALID_CERTIFICATE: Final = Template("INVALID_CERTIFICATE", "Invalid certificate: {reason}")
PROFILE_EMPTY: Final = Template("PROFILE_EMPTY", "The profile has no certificate.")
PRIVATE_KEY_MISSING: Final = Template("PRIVATE_KEY_MISSING", "The private key is missing.")
KEY_DOES_NOT_SIGN: Final = Template("KEY_DOES_NOT_SIGN", "key does not sign certificate")
NOT_ONE_PEM: Final = Template("NOT_ONE_PEM", "not a single PEM certificate")
UNREADABLE_CERTIFICATE: Final = Template(
    "UNREADABLE_CERTIFICATE", "unreadable certificate: {reason}")
UNREADABLE_KEY: Final = Template("UNREADABLE_KEY", "unreadable private key: {kind}")
NO_PEM: Final = Template("NO_PEM", "no PEM certificates")
UNKNOWN_KEY_TYPE: Final = Template("UNKNOWN_KEY_TYPE", "unknown key type {kind}")
PASSPHRASE_REQUIRED: Final = Template("PASSPHRASE_REQUIRED", "a passphrase is required")
UNSUPPORTED_KEY: Final = Template("UNSUPPORTED_KEY", "unsupported key type")
PKCS12_REFUSED: Final = Template("PKCS12_REFUSED", "wrong passphrase or not a PKCS#12 file")
PKCS12_INCOMPLETE: Final = Template(
    "PKCS12_INCOMPLETE", "the file holds no certificate and key")
BAD_KEY_ID: Final = Template("BAD_KEY_ID", "bad key id")
# the subject of certconfig NEW's certificate and CSR (state.certs.subject_problem)
SUBJECT_ATTRIBUTES: Final = {
    "common_name": "Common Name (CN)", "organization": "Organization (O)",
    "unit": "Organizational Unit (OU)", "locality": "Locality (L)",
    "state": "State or Province (ST)", "country": "Country (C)",
}
SUBJECT_TOO_LONG: Final = Template(
    "SUBJECT_TOO_LONG",
    "The {attribute} must be at most {limit} characters long (a character outside ASCII"
    " counts as 2 to 4).")
SUBJECT_CONTROL: Final = Template(
    "SUBJECT_CONTROL", "The {attribute} must not contain control characters.")
COUNTRY_CODE: Final = Template(
    "COUNTRY_CODE", "Country should be a ISO two character country code")
KEY_NOT_STORED: Final = Template(
    "KEY_NOT_STORED", "private key {key}... is missing from the secrets area")
BAD_USER_NAME: Final = Template("BAD_USER_NAME", "not a valid user name: {user!r}")
BAD_PASSWORD_HASH: Final = Template("BAD_PASSWORD_HASH", "bad password hash")

# -- report time ranges (state.report_range) ---------------------------------------------------
BAD_DATE: Final = Template(
    "BAD_DATE", 'Invalid date "{value}": use YYYY-MM-DD or YYYY-MM-DD HH:MM.')
BAD_DATE_RANGE: Final = Template(
    "BAD_DATE_RANGE", "The range must end after it starts ({start} - {end}).")
DATE_RANGE_TOO_LONG: Final = Template(
    "DATE_RANGE_TOO_LONG",
    "The range may be at most {days} days long, as long as TLS statistics are kept"
    " ({start} - {end}).")

# -- shadowed HAT rows (state.hat_shadow) -------------------------------------------------------
SHADOWED_GROUP: Final = Template(
    "SHADOWED_GROUP",
    'Warning: listener {listener}: sender group "{group}" can never match: every sender it'
    " lists is matched first by {by} above it.")

# -- certificate rows (state.cert_rows) --------------------------------------------------------
CERTIFICATE_ROW_ASKS: Final = Template(
    "CERTIFICATE_ROW_ASKS",
    'Warning: listener {listener}: sender group "{group}" names clients by certificate: from'
    " this commit every client placed below it is asked for one at STARTTLS, and a client"
    " that presents a certificate that does not verify (self-signed, expired) fails its TLS"
    " handshake. Rows above it are not asked.")

# -- users, roles and access (userconfig, passwd, sshconfig; state.users) ---------------------
USER_NAME_FORM: Final = Template(
    "USER_NAME_FORM",
    "The user name must start with a lower-case letter or \"_\" and hold only lower-case"
    " letters, digits, \"-\" and \"_\" (at most 32 characters).")
USER_EXISTS: Final = Template("USER_EXISTS", 'The user "{user}" already exists.')
USER_UNKNOWN: Final = Template("USER_UNKNOWN", 'Unknown user "{user}".')
ADMIN_FIXED: Final = Template(
    "ADMIN_FIXED", 'The "admin" account cannot be deleted and is always an Administrator.')
DELETE_SELF: Final = Template("DELETE_SELF", "You cannot delete the account you are logged in as.")
USERS_NO_ADMIN: Final = Template(
    "USERS_NO_ADMIN", 'The "admin" account must exist and be an Administrator.')
PASSWORD_LOGIN_LOCKOUT: Final = Template(
    "PASSWORD_LOGIN_LOCKOUT", "Password logins cannot be turned off while no Administrator"
    " account has an SSH key: no Administrator could log in. Add a key with sshconfig first.")
PASSWORD_TOO_SHORT: Final = Template(
    "PASSWORD_TOO_SHORT", "The password must be at least {length} characters long.")
PASSWORD_CONTROL: Final = Template(
    "PASSWORD_CONTROL", "The password must not contain control characters.")
PASSWORDS_DIFFER: Final = Template("PASSWORDS_DIFFER", "The passwords do not match.")
PASSWORD_WRONG: Final = Template("PASSWORD_WRONG", "The old password is not correct.")
SSH_KEY_INVALID: Final = Template(
    "SSH_KEY_INVALID",
    "Not a valid SSH public key: paste one OpenSSH key line (ssh-ed25519, ssh-rsa or"
    " ecdsa-sha2-nistp256 AAAA...).")
SSH_KEY_PRIVATE: Final = Template(
    "SSH_KEY_PRIVATE",
    "That is a private key. Paste the public key (the .pub file); the private key never"
    " leaves your computer.")
SSH_KEY_TWICE: Final = Template("SSH_KEY_TWICE", 'The user "{user}" already has this key.')
NOT_PERMITTED_CHANGE: Final = Template(
    "NOT_PERMITTED_CHANGE",
    'You are not in the correct access group to make changes (user "{user}", {role}).'
    " Nothing was changed.")
NOT_PERMITTED_ACCOUNTS: Final = Template(
    "NOT_PERMITTED_ACCOUNTS",
    "You are not in the correct access group to change accounts or access settings"
    ' (user "{user}", {role}). Nothing was changed.')
NOT_PERMITTED_COMMIT: Final = Template(
    "NOT_PERMITTED_COMMIT",
    'You are not in the correct access group to commit changes (user "{user}", {role}).')

# -- the configuration file (state.config_file) ------------------------------------------------
FILE_REFUSED: Final = Template("FILE_REFUSED", "{count} problems: nothing was loaded")
FILE_BAD_LINE: Final = Template("FILE_BAD_LINE", "expected <setting> = <value>")
FILE_BAD_VALUE: Final = Template("FILE_BAD_VALUE", "not a valid value: {value}")
FILE_BAD_PATH: Final = Template("FILE_BAD_PATH", "not a setting: {path}")
FILE_PATH_TWICE: Final = Template("FILE_PATH_TWICE", "{path} is given more than once")
FILE_FORMAT: Final = Template(
    "FILE_FORMAT", "format {found} is not one this appliance reads (format {supported})")
FILE_NO_END: Final = Template(
    "FILE_NO_END", "the file has no end line (\"end = <settings>\", its last line): it may"
    " have been cut off")
FILE_END_COUNT: Final = Template(
    "FILE_END_COUNT", "the file holds {found} settings before its end line, which says"
    " {expected}: lines are missing (or were added)")
FILE_AFTER_END: Final = Template("FILE_AFTER_END", "a setting after the end line")
FILE_UNKNOWN_SETTING: Final = Template(
    "FILE_UNKNOWN_SETTING", "missing, or not a setting of this appliance")
FILE_BAD_SETTING: Final = Template("FILE_BAD_SETTING", "{reason}")
FILE_WRONG_PASSPHRASE: Final = Template(
    "FILE_WRONG_PASSPHRASE", "The passphrase does not open the secrets of this file.")
FILE_SECRET_DAMAGED: Final = Template(
    "FILE_SECRET_DAMAGED", "{path}: the encrypted value is damaged")
FILE_PASSPHRASE_SHORT: Final = Template(
    "FILE_PASSPHRASE_SHORT", "The passphrase must be at least {length} characters long.")
FILE_KEY_MISMATCH: Final = Template(
    "FILE_KEY_MISMATCH", "That private key is not the one of this certificate profile.")

# -- the store and commits ----------------------------------------------------------------------
NO_VERSION: Final = Template("NO_VERSION", "no configuration version {number}")
HEAD_MOVED: Final = Template("HEAD_MOVED", "head moved: expected {expected}, found {found}")
NOT_WAITING: Final = Template(
    "NOT_WAITING", "version {number} is no longer waiting for confirmation")
CHANGING_TOO_FAST: Final = Template(
    "CHANGING_TOO_FAST", "the configuration is changing too fast; try again")
COMMIT_REFUSED: Final = Template("COMMIT_REFUSED", "{errors} errors, {conflicts} conflicts")
CONFIRMATION_WAITING: Final = Template(
    "CONFIRMATION_WAITING", "version {version} by {user} is waiting for confirmation")
CONFIG_PROBLEM: Final = Template("CONFIG_PROBLEM", "{path}: {message}")
FILE_LINE: Final = Template("FILE_LINE", "line {line}: {message}")




# -- logconfig, operational versions (state/validate_logs.py, state/operations.py) -------
UNKNOWN_LOG: Final = Template("UNKNOWN_LOG", 'There is no log named "{name}".')
NO_SUCH_LISTENER: Final = Template("NO_SUCH_LISTENER", 'There is no listener named "{name}".')
OPERATIONAL_IN_CLUSTER: Final = Template(
    "OPERATIONAL_IN_CLUSTER",
    "{command} is not available on a cluster member: the cluster's configuration would"
    " replace it.")

# -- interfaceconfig, sethostname ------------------------------------------------------------
INTERFACE_NAME_TAKEN: Final = Template(
    "INTERFACE_NAME_TAKEN", 'An interface named "{name}" already exists.')
INTERFACE_IP_TAKEN: Final = Template(
    "INTERFACE_IP_TAKEN", 'The IP address {ip} is already assigned to interface "{name}".')
INTERFACE_IN_USE: Final = Template(
    "INTERFACE_IN_USE",
    'The interface "{name}" is used by these listeners: {listeners}. Delete them or move them'
    " to another interface first.")


# every template above, by code (keep this last: it reads the module as it stands)
def _codes() -> dict[str, Template]:
    found = {name: value for name, value in globals().items() if isinstance(value, Template)}
    assert all(name == t.code for name, t in found.items()), "a code differs from its name"
    return {t.code: t for t in found.values()}


CODES: Final = _codes()
