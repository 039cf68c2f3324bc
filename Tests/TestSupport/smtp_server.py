#!/usr/bin/env python3
"""A real SMTP server (aiosmtpd) for the mail notifier's tests.

Listens on 127.0.0.1:PORT in one of three modes: `starttls` (plain, offering STARTTLS), `tls` (implicit
TLS from the first byte, port-465 style) or `plain` (no TLS at all, so no STARTTLS is offered). With
--username and --password, AUTH is required and only those credentials pass; --auth-mechanisms limits
what AUTH offers (e.g. LOGIN only).

Each accepted message is written to OUTPUT/N.json (written to a temporary name, then renamed) as
{"mail_from": ..., "rcpt_tos": [...], "data_base64": <the message bytes exactly as received, after
dot-unstuffing>, "auth_mechanism": "PLAIN" | "LOGIN" | null, "encrypted": <whether over TLS>}.
--fail-first N CODE answers RCPT TO with CODE for the first N transactions; --fail-rcpt CODE always does.

Prints "ready PORT" on stdout once listening. Exits when stdin closes, on SIGTERM, or after --lifetime
seconds, so a test that dies cannot leave it behind.
"""

import argparse
import asyncio
import base64
import json
import os
import signal
import ssl
import sys
import threading

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class Handler:
    def __init__(self, output, fail_first, fail_code, fail_rcpt):
        self.output = output
        self.fail_first = fail_first
        self.fail_code = fail_code
        self.fail_rcpt = fail_rcpt
        self.transactions = 0
        self.count = 0

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        self.transactions += 1
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.fail_rcpt:
            return f"{self.fail_rcpt} 5.1.1 <{address}>: mailbox unavailable"
        if self.transactions <= self.fail_first:
            return f"{self.fail_code} 4.7.1 <{address}>: greylisted, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": list(envelope.rcpt_tos),
            "data_base64": base64.b64encode(envelope.original_content).decode("ascii"),
            "auth_mechanism": getattr(session, "zc_mechanism", None),
            "encrypted": server.transport.get_extra_info("ssl_object") is not None,
        }
        path = os.path.join(self.output, f"{self.count}.json")
        with open(path + ".part", "w") as file:
            json.dump(record, file)
        os.rename(path + ".part", path)
        return "250 2.0.0 OK: queued"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--mode", choices=["starttls", "tls", "plain"], required=True)
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--username")
    parser.add_argument("--password")
    parser.add_argument("--auth-mechanisms", help="space-separated mechanisms to offer, e.g. LOGIN")
    parser.add_argument("--output", required=True)
    parser.add_argument("--fail-first", nargs=2, type=int, metavar=("N", "CODE"), default=[0, 451])
    parser.add_argument("--fail-rcpt", type=int, default=0)
    parser.add_argument("--lifetime", type=float, default=120)
    args = parser.parse_args()

    context = None
    if args.mode != "plain":
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.cert, args.key)

    authenticator = None
    if args.username is not None:
        expected = LoginPassword(args.username.encode(), (args.password or "").encode())

        def authenticator(server, session, envelope, mechanism, auth_data):
            session.zc_mechanism = mechanism
            return AuthResult(success=auth_data == expected, handled=False)

    excluded = []
    if args.auth_mechanisms:
        offered = set(args.auth_mechanisms.upper().split())
        excluded = [m for m in ("PLAIN", "LOGIN") if m not in offered]

    handler = Handler(args.output, args.fail_first[0], args.fail_first[1], args.fail_rcpt)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)

    def factory():
        return SMTP(
            handler,
            hostname="mail.test",
            tls_context=context if args.mode == "starttls" else None,
            authenticator=authenticator,
            auth_required=authenticator is not None,
            # aiosmtpd counts only STARTTLS as encryption; with implicit TLS (and on plain loopback) AUTH
            # must be allowed without it.
            auth_require_tls=args.mode == "starttls",
            auth_exclude_mechanism=excluded,
            loop=loop,
        )

    server = loop.run_until_complete(
        loop.create_server(factory, host="127.0.0.1", port=args.port,
                           ssl=context if args.mode == "tls" else None))

    def stop():
        loop.call_soon_threadsafe(loop.stop)

    def watch_stdin():
        sys.stdin.read()
        stop()

    threading.Thread(target=watch_stdin, daemon=True).start()
    loop.add_signal_handler(signal.SIGTERM, loop.stop)
    loop.call_later(args.lifetime, loop.stop)
    print(f"ready {args.port}", flush=True)
    try:
        loop.run_forever()
    finally:
        server.close()


if __name__ == "__main__":
    main()
