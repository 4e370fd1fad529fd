"""RFC 9421 HTTP Message Signatures with Ed25519, for federation requests. Sans-I/O.

Only what xcnet needs: derived components @method, @target-uri, @authority, @path, @query;
plain header fields; one signature per message; RFC 9530 Content-Digest with sha-256.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from protocol import crypto
from protocol.errors import RequestRefused

LABEL = "xcnet"
DESTINATION = "xcnet-destination"
COVERED = ("@method", "@target-uri", "content-digest", DESTINATION)
MAX_SKEW = 300

Params = Sequence[tuple[str, int | str]]


@dataclass(frozen=True, slots=True)
class Request:
    """The parts of an HTTP request that signatures cover; header names in lower case."""

    method: str
    target_uri: str
    headers: Mapping[str, str]
    body: bytes = b""


def content_digest(body: bytes) -> str:
    """The RFC 9530 Content-Digest field value for a body."""
    return "sha-256=:" + base64.b64encode(hashlib.sha256(body).digest()).decode() + ":"


def _component(request: Request, name: str) -> str:
    parts = urlsplit(request.target_uri)
    if name == "@method":
        return request.method.upper()
    if name == "@target-uri":
        return request.target_uri
    if name == "@authority":
        host = (parts.hostname or "").lower()
        default = {"http": 80, "https": 443}.get(parts.scheme)
        return host if parts.port in (None, default) else f"{host}:{parts.port}"
    if name == "@path":
        return parts.path or "/"
    if name == "@query":
        return "?" + parts.query
    if name.startswith("@"):
        raise RequestRefused("malformed_signature", f"unsupported derived component {name}")
    try:
        return request.headers[name].strip()
    except KeyError:
        raise RequestRefused("missing_component", f"the request has no {name} field") from None


def serialize_params(components: Sequence[str], params: Params) -> str:
    """The @signature-params value: an inner list of component names with parameters."""
    inner = "(" + " ".join(f'"{c}"' for c in components) + ")"
    return inner + "".join(
        f";{key}={value}" if isinstance(value, int) else f';{key}="{value}"'
        for key, value in params
    )


def signature_base(request: Request, components: Sequence[str], params: Params) -> bytes:
    """The RFC 9421 §2.5 signature base."""
    lines = [f'"{name}": {_component(request, name)}' for name in components]
    lines.append(f'"@signature-params": {serialize_params(components, params)}')
    return "\n".join(lines).encode()


def sign_request(
    request: Request,
    key: crypto.SigningKey,
    *,
    created: int,
    nonce: str,
    components: Sequence[str] = COVERED,
    keyid: str | None = None,
    label: str = LABEL,
    extra: Params = (),
) -> dict[str, str]:
    """The Signature-Input and Signature fields for a request (Content-Digest must be set)."""
    params: list[tuple[str, int | str]] = [("created", created)]
    if nonce:
        params.append(("nonce", nonce))
    params.append(("keyid", keyid if keyid is not None else key.public_key.hex()))
    params.extend(extra)
    signature = key.sign(signature_base(request, components, params))
    return {
        "signature-input": f"{label}={serialize_params(components, params)}",
        "signature": f"{label}=:{base64.b64encode(signature).decode()}:",
    }


_INPUT = re.compile(
    r'^([a-z][a-z0-9_-]*)=\(((?:"[^"]*"(?: "[^"]*")*)?)\)((?:;[a-z]+=(?:[0-9]+|"[^"]*"))*)$'
)
_SIGNATURE = re.compile(r"^([a-z][a-z0-9_-]*)=:([A-Za-z0-9+/=]+):$")
_PARAM = re.compile(r';([a-z]+)=([0-9]+|"[^"]*")')


def verify_request(
    request: Request,
    *,
    destination: str,
    now: int,
    keys: Callable[[bytes], str | None],
    fresh_nonce: Callable[[str, int], bool],
) -> str:
    """Check a signed federation request and return the caller's node id, or raise RequestRefused.

    `keys` maps a public key to the pinned peer's node id (None when unknown);
    `fresh_nonce(nonce, expires)` records the nonce and says whether it was unseen.
    """
    signature_input = request.headers.get("signature-input")
    signature_field = request.headers.get("signature")
    if not signature_input or not signature_field:
        raise RequestRefused(
            "missing_signature", "the request carries no Signature-Input and Signature"
        )
    matched_input = _INPUT.match(signature_input.strip())
    matched_signature = _SIGNATURE.match(signature_field.strip())
    if not matched_input or not matched_signature or matched_input[1] != matched_signature[1]:
        raise RequestRefused(
            "malformed_signature", "Signature-Input or Signature is not one xcnet signature"
        )
    components = [c.strip('"') for c in matched_input[2].split(" ") if c]
    params: list[tuple[str, int | str]] = [
        (name, int(value) if value.isdigit() else value.strip('"'))
        for name, value in _PARAM.findall(matched_input[3])
    ]
    fields = dict(params)
    missing = [c for c in COVERED if c not in components]
    if missing or not isinstance(fields.get("created"), int) or not fields.get("nonce"):
        raise RequestRefused(
            "missing_component",
            f"the signature must cover {', '.join(COVERED)}, created and a nonce",
        )
    try:
        public_key = bytes.fromhex(str(fields.get("keyid", "")))
    except ValueError:
        public_key = b""
    caller = keys(public_key) if len(public_key) == crypto.PUBLIC_KEY_LENGTH else None
    if caller is None:
        raise RequestRefused("unknown_key", "the signing key is not a pinned peer's node key")
    if request.headers.get(DESTINATION) != destination:
        raise RequestRefused("wrong_destination", "the request is addressed to another node")
    created = fields["created"]
    assert isinstance(created, int)
    if abs(now - created) > MAX_SKEW:
        raise RequestRefused(
            "stale_created", f"created is more than {MAX_SKEW} s from this node's clock"
        )
    if request.headers.get("content-digest") != content_digest(request.body):
        raise RequestRefused("digest_mismatch", "Content-Digest does not match the body")
    signature = base64.b64decode(matched_signature[2])
    if not crypto.verify(public_key, signature_base(request, components, params), signature):
        raise RequestRefused("bad_signature", "the signature does not verify")
    if not fresh_nonce(f"{caller}/{fields['nonce']}", created + MAX_SKEW):
        raise RequestRefused("replayed_nonce", "this nonce was used before")
    return caller
