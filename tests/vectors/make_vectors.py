"""Write the golden envelope vectors (run by hand only when the format changes on purpose).

.venv/bin/python -m tests.vectors.make_vectors
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from uuid import UUID

from protocol import canonical
from protocol.crypto import SigningKey
from protocol.envelope import ZERO_DIGEST, Header, body_summary, seal

HERE = Path(__file__).parent
# Fixed test keys: RFC 8032 section 7.1 test 1 and test 2 secret keys.
KEYS = {
    "rfc8032-test1": "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
    "rfc8032-test2": "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
}
CASES: list[dict[str, Any]] = [
    {
        "name": "roster-founded",
        "key": "rfc8032-test1",
        "header": {
            "network": "xcnet",
            "origin": "jp",
            "aggregate": "6a0d2c4e-1f3b-5a7c-9e8d-0b1c2d3e4f50",
            "version": 1,
            "topic": "xcnet.member.Founded/1",
            "created": 1_795_424_400_000_000,
            "audience": ["public"],
        },
        "body": {
            "country": "JP",
            "name": "Ministry of Economy, Trade and Industry",
            "node_id": "jp",
        },
    },
    {
        "name": "denial-issued-second-version",
        "key": "rfc8032-test2",
        "prev_of": "roster-founded",
        "header": {
            "network": "xcnet",
            "origin": "kr",
            "aggregate": "0f8e7d6c-5b4a-5392-8170-6f5e4d3c2b1a",
            "version": 2,
            "topic": "xcnet.denial.Amended/1",
            "created": 1_795_510_800_123_456,
            "audience": ["group:jp/xcxg", "kr"],
        },
        "body": {"reason_codes": ["WMD-EU", "MIL"], "valid_until": "2029-11-23", "count": -129},
    },
]


def build() -> list[dict[str, object]]:
    vectors: list[dict[str, object]] = []
    digests: dict[str, bytes] = {}
    for case in CASES:
        key = SigningKey(bytes.fromhex(KEYS[str(case["key"])]))
        fields = case["header"]
        body = canonical.encode(case["body"])
        digest, length = body_summary(body)
        prev = digests[str(case["prev_of"])] if "prev_of" in case else ZERO_DIGEST
        header = Header(
            network=fields["network"],
            origin=fields["origin"],
            aggregate=UUID(fields["aggregate"]),
            version=fields["version"],
            prev=prev,
            topic=fields["topic"],
            created=fields["created"],
            author=key.public_key,
            audience=tuple(fields["audience"]),
            body_digest=digest,
            body_length=length,
        )
        envelope = seal(header, body, key)
        digests[str(case["name"])] = envelope.digest
        vectors.append(
            {
                **case,
                "seed": KEYS[str(case["key"])],
                "public_key": key.public_key.hex(),
                "prev": prev.hex(),
                "body_bytes": body.hex(),
                "header_bytes": envelope.header_bytes.hex(),
                "signature": envelope.signature.hex(),
                "envelope": envelope.raw.hex(),
                "digest": envelope.digest.hex(),
            }
        )
    return vectors


if __name__ == "__main__":
    (HERE / "envelopes.json").write_text(json.dumps(build(), indent=2) + "\n", encoding="utf-8")
