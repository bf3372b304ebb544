#!/usr/bin/env python3
"""A real SMTP server for the tests (aiosmtpd), writing each message it
accepts to a folder, one RFC 5322 file per message, with the envelope's
recipients in an `X-Envelope-To:` first line.

    smtp_sink.py --port N --dir DIR [--tls CERTDIR] [--auth USER:PASSWORD]
                 [--defer-first N] [--refuse ADDRESS] [--die-after N]

--tls CERTDIR   STARTTLS required, with a certificate for 127.0.0.1 signed by
                a test authority, both made here with openssl (CERTDIR/ca.pem
                is what the client must trust).
--auth          AUTH PLAIN/LOGIN required, with these credentials.
--defer-first N answers 451 (try again later) to the first N messages.
--refuse ADDR   answers 550 (no such user) to that recipient, for good.
--die-after N   after accepting N messages, answers 421 to everything and
                exits: a server that goes away in the middle of a batch.

Prints "ready" on stdout once it listens.
"""

import argparse
import asyncio
import itertools
import os
import pathlib
import ssl
import subprocess
import sys
import time
import warnings

# aiosmtpd 1.4 warns about its own use of a deprecated attribute during AUTH.
warnings.filterwarnings("ignore", message="Session.login_data")

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def make_certificate(directory: pathlib.Path):
    directory.mkdir(parents=True, exist_ok=True)
    run = lambda *args: subprocess.run(args, check=True, capture_output=True)
    ca_key, ca, key, csr, cert = (directory / n for n in ("ca.key", "ca.pem", "server.key", "server.csr", "server.pem"))
    run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", ca_key, "-out", ca,
        "-days", "2", "-subj", "/CN=salle test authority")
    run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr, "-subj", "/CN=127.0.0.1")
    ext = directory / "server.ext"
    ext.write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n"
                   "keyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n")
    run("openssl", "x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial", "-out", cert,
        "-days", "2", "-extfile", ext)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


class Sink:
    def __init__(self, args):
        self.dir = pathlib.Path(args.dir)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.defer = args.defer_first
        self.refuse = (args.refuse or "").lower()
        self.die_after = args.die_after
        self.accepted = 0
        self.dying = False
        self.counter = itertools.count()

    async def handle_MAIL(self, server, session, envelope, address, options):
        if self.dying:
            return "421 4.3.2 Service shutting down"
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, options):
        if self.dying:
            return "421 4.3.2 Service shutting down"
        if address.lower() == self.refuse:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.dying:
            return "421 4.3.2 Service shutting down"
        if self.defer > 0:
            self.defer -= 1
            return "451 4.3.0 Try again later"
        name = f"{time.time_ns()}-{os.getpid()}-{next(self.counter)}.eml"
        partial = self.dir / f".{name}.partial"
        partial.write_bytes(b"X-Envelope-To: " + ",".join(envelope.rcpt_tos).encode() + b"\r\n" + envelope.original_content)
        partial.rename(self.dir / name)
        self.accepted += 1
        if self.die_after and self.accepted >= self.die_after:
            self.dying = True
            asyncio.get_running_loop().call_later(0.3, os._exit, 0)
        return "250 OK"


def authenticator(expected):
    user, password = expected.split(":", 1)

    def check(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user \
            and auth_data.password.decode() == password
        return AuthResult(success=ok)

    return check


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--tls")
    parser.add_argument("--auth")
    parser.add_argument("--defer-first", type=int, default=0)
    parser.add_argument("--refuse")
    parser.add_argument("--die-after", type=int, default=0)
    args = parser.parse_args()
    options = {}
    if args.tls:
        options.update(tls_context=make_certificate(pathlib.Path(args.tls)), require_starttls=True)
    if args.auth:
        options.update(authenticator=authenticator(args.auth), auth_required=True,
                       auth_require_tls=bool(args.tls))
    controller = Controller(Sink(args), hostname="127.0.0.1", port=args.port, **options)
    controller.start()
    print("ready", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        controller.stop()


if __name__ == "__main__":
    sys.exit(main())
