#!/usr/bin/env python3
"""A real SMTP server (aiosmtpd) for tests: accepts mail, optionally requiring AUTH LOGIN/PLAIN, and writes each
message to OUT_DIR as NNNN.eml with its envelope in NNNN.json. Prints the port, then serves until stdin closes.

  smtp_sink.py OUT_DIR [--user NAME --password SECRET] [--starttls CERT KEY | --tls CERT KEY] [--reject-rcpt]

--reject-rcpt refuses every recipient the way Postfix does, quoting the address ("550 5.1.1 <a@b>: ... User unknown").

--starttls offers STARTTLS and refuses mail without it; --tls speaks TLS from the first byte (smtps).
"""
import asyncio, json, os, socket, ssl, sys
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

out = sys.argv[1]
args = sys.argv[2:]
user = args[args.index("--user") + 1] if "--user" in args else None
password = args[args.index("--password") + 1] if "--password" in args else None
os.makedirs(out, exist_ok=True)
tls_mode, context = None, None
for mode in ("--starttls", "--tls"):
    if mode in args:
        tls_mode = mode
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args[args.index(mode) + 1], args[args.index(mode) + 2])


class Sink:
    count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if "--reject-rcpt" in args:
            return "550 5.1.1 <%s>: Recipient address rejected: User unknown in virtual mailbox table" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        Sink.count += 1
        base = os.path.join(out, "%04d" % Sink.count)
        with open(base + ".eml", "wb") as f:
            f.write(envelope.original_content)
        with open(base + ".json", "w") as f:
            json.dump({"from": envelope.mail_from, "to": envelope.rcpt_tos,
                       "auth": session.authenticated, "login": (session.auth_data.login.decode() if session.auth_data else None),
                       "tls": session.ssl is not None or tls_mode == "--tls"}, f)
        return "250 Message accepted for delivery"


def authenticator(server, session, envelope, mechanism, auth_data):
    if isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user and auth_data.password.decode() == password:
        return AuthResult(success=True, auth_data=auth_data)
    return AuthResult(success=False, handled=False)


s = socket.socket()
s.bind(("127.0.0.1", 0))
port = s.getsockname()[1]
s.close()
kwargs = {}
if user:
    kwargs = dict(authenticator=authenticator, auth_required=True, auth_require_tls=tls_mode == "--starttls")
if tls_mode == "--starttls":
    kwargs.update(tls_context=context, require_starttls=True)
elif tls_mode == "--tls":
    kwargs.update(ssl_context=context)
controller = Controller(Sink(), hostname="127.0.0.1", port=port, **kwargs)
controller.start()
print(port, flush=True)
sys.stdin.read()
controller.stop()
