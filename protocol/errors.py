"""Protocol errors, each with a stable machine-readable code."""


class ProtocolError(Exception):
    """Base of every wire-level refusal; `code` is stable and safe to show a peer."""

    code = "protocol"


class EncodingInvalid(ProtocolError):
    """Bytes that are not strict canonical msgpack, or a header of the wrong shape."""

    code = "encoding"


class SignatureInvalid(ProtocolError):
    """A signature that does not verify under the key it names."""

    code = "signature"


class BodyDigestMismatch(ProtocolError):
    """A body whose SHA-256 or length differs from what the signed header says."""

    code = "body_digest"


class OriginInvalid(ProtocolError):
    """An author key that the origin's roster does not certify at that point."""

    code = "origin"


class PrevMismatch(ProtocolError):
    """A header whose `prev` is not the digest of the aggregate's previous header."""

    code = "prev"


class VersionGap(ProtocolError):
    """An aggregate version that does not follow the previous one."""

    code = "version"


class AudienceRefused(ProtocolError):
    """A record that the sender may not give to this node."""

    code = "audience"


CHECKS = ("encoding", "signature", "body_digest", "origin", "prev", "version", "audience")


class RequestRefused(ProtocolError):
    """A federation request whose signature does not pass; `code` says which check (401)."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code


REQUEST_CHECKS = (
    "missing_signature",
    "malformed_signature",
    "missing_component",
    "unknown_key",
    "wrong_destination",
    "stale_created",
    "replayed_nonce",
    "digest_mismatch",
    "bad_signature",
)
