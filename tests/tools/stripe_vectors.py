"""Webhook signature vectors made with Stripe's official Python library.

Reads {"payload": str, "secret": str, "now": int} on stdin and prints the
vectors as JSON: each a name, the payload, the Stripe-Signature header, and
whether Stripe's own `Webhook.construct_event` accepts it at `now` (checked
here, so the Rust side is compared with Stripe's verdict, not ours).

With {"verify": true, "payload", "header", "secret"} it prints whether
Stripe's library accepts a header salle made.
"""

import json
import sys
import time
from unittest import mock

import stripe
from stripe import WebhookSignature


def sign(payload: str, secret: str, t: int) -> str:
    return WebhookSignature._compute_signature(f"{t}.{payload}", secret)


def stripe_accepts(payload: str, header: str, secret: str, now: int) -> bool:
    with mock.patch.object(time, "time", return_value=now):
        try:
            stripe.Webhook.construct_event(payload, header, secret, tolerance=300)
            return True
        except (stripe.SignatureVerificationError, ValueError):
            return False


def main() -> None:
    args = json.load(sys.stdin)
    if args.get("verify"):
        now = int(time.time())
        print(json.dumps({"accepted": stripe_accepts(args["payload"], args["header"], args["secret"], now)}))
        return
    payload, secret, now = args["payload"], args["secret"], args["now"]
    changed = payload[:-2] + ("X" if payload[-2] != "X" else "Y") + payload[-1]
    good = sign(payload, secret, now)
    vectors = [
        ("valid", payload, f"t={now},v1={good}"),
        ("body_changed_by_one_byte", changed, f"t={now},v1={good}"),
        ("wrong_secret", payload, f"t={now},v1={sign(payload, 'whsec_other', now)}"),
        ("timestamp_301_s_old", payload, f"t={now - 301},v1={sign(payload, secret, now - 301)}"),
        ("timestamp_301_s_ahead", payload, f"t={now + 301},v1={sign(payload, secret, now + 301)}"),
        ("timestamp_300_s_old", payload, f"t={now - 300},v1={sign(payload, secret, now - 300)}"),
        ("v0_only", payload, f"t={now},v0={good}"),
        ("two_v1_one_valid", payload, f"t={now},v1={sign(payload, 'whsec_old', now)},v1={good}"),
        ("no_timestamp", payload, f"v1={good}"),
    ]
    out = [
        {"name": n, "payload": p, "header": h, "stripe_accepts": stripe_accepts(p, h, secret, now)}
        for n, p, h in vectors
    ]
    print(json.dumps(out))


if __name__ == "__main__":
    main()
