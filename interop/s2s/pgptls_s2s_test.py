"""pgptls_s2s_test: end-to-end tests of `pgptls s2s` with real
Prosody 0.12 instances carrying contrib/prosody/mod_pgptls.lua, real
slixmpp clients, gpg-made OpenPGP keys, openssl-made X.509 keys and
dnsmasq, all on 127.0.0.x with free ports.

Run: /usr/bin/python3 pgptls_s2s_test.py PATH/TO/pgptls
"""

import asyncio
import os
import re
import socket
import ssl
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import pgptls_world as pw  # noqa: E402
import s2s_world as w  # noqa: E402
from prosody_module_test import LoggedTestCase  # noqa: E402

PROGRAM = os.environ.get("PGPTLS_PROGRAM", "")
if __name__ == "__main__" and len(sys.argv) > 1 and not sys.argv[1].startswith("-"):
    PROGRAM = sys.argv.pop(1)


def has_s2s_command(program):
    """Whether `program s2s --help` works (the program has the s2s command)."""
    if not program:
        return False
    import subprocess

    result = subprocess.run([program, "s2s", "--help"], capture_output=True, timeout=60)
    return result.returncode == 0


HAS_S2S = has_s2s_command(PROGRAM)

_keys = None
_keys_workspace = None


def keys():
    """The gpg-made OpenPGP keys, made once per run."""
    global _keys, _keys_workspace
    if _keys is None:
        _keys_workspace = w.Workspace(prefix="pgptls-s2s-keys-")
        _keys = pw.OpenPgpKeys(_keys_workspace.path("openpgp"))
    return _keys


def tearDownModule():
    if _keys_workspace:
        _keys_workspace.close()


def exchange(test, sender, receiver, to_jid, body):
    """sender sends body to to_jid; receiver must get exactly it. A bounce
    back to the sender fails the test at once, with its reason."""
    sender.send(to_jid, body)

    async def wait():
        delivered = asyncio.ensure_future(receiver.receive())
        bounced = asyncio.ensure_future(sender.receive())
        done, pending = await asyncio.wait({delivered, bounced}, timeout=w.EVENT_TIMEOUT,
                                           return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
        if bounced in done:
            reply = bounced.result()
            test.fail("%s -> %s bounced: %s %s" % (sender.xmpp.boundjid, to_jid, reply["error"]["condition"],
                                                  reply["error"]["text"]))
        test.assertIn(delivered, done, "%r never reached %s" % (body, to_jid))
        message = delivered.result()
        test.assertEqual(message["type"], "chat", "got %s" % message)
        test.assertEqual(message["body"], body)
        return message

    return wait()


class Federation(LoggedTestCase):
    """Helpers to build Prosody + pgptls pairs inside one workspace."""

    @classmethod
    def prosody_behind_pgptls(cls, name, domain, public_ip, openpgp_name=None, x509=None,
                              keyring=(), dns_server=None, static=()):
        prosody = w.Prosody(cls.workspace, name, domain, "127.0.0.1",
                            pgptls=dict(proxy_addresses=["127.0.0.1"]))
        proxy = pw.Pgptls(cls.workspace, PROGRAM, name + "-proxy", domain, public_ip,
                          authorities=[keys().file("ca.asc")], keyring=keyring,
                          openpgp=(keys().file(openpgp_name + ".asc"), keys().file(openpgp_name + ".sec"))
                          if openpgp_name else None,
                          x509=x509, dns_server=dns_server, static=static)
        prosody.lines.append("pgptls_outbound = %s" % w.lua_string(proxy.outbound))
        return prosody, proxy

    @staticmethod
    def start(prosody, proxy):
        prosody.start()
        proxy.start(prosody.s2s_port)

    @classmethod
    def tearDownClass(cls):
        cls.workspace.close()


@unittest.skipUnless(HAS_S2S, "no pgptls program with an s2s command given")
class OpenPgpFederationTest(Federation):
    """a.example and b.example behind pgptls with OpenPGP keys certified by
    one authority (no X.509 anywhere), and an impostor claiming b.example
    with an uncertified key."""

    @classmethod
    def setUpClass(cls):
        cls.workspace = w.Workspace()
        try:
            k = keys()
            cls.a, cls.a_proxy = cls.prosody_behind_pgptls("a", "a.example", "127.0.0.1", "a",
                                                           keyring=[k.file("b.asc")])
            cls.b, cls.b_proxy = cls.prosody_behind_pgptls("b", "b.example", "127.0.0.2", "b",
                                                           keyring=[k.file("a.asc")])
            cls.i, cls.i_proxy = cls.prosody_behind_pgptls("i", "b.example", "127.0.0.4", "impostor",
                                                           keyring=[k.file("a.asc")])
            cls.a_proxy.static = ["b.example=%s" % cls.b_proxy.inbound]
            # A silent peer is cut after 3 s (the default 10 s would slow the suite).
            cls.a_proxy.handshake_timeout_ms = 3000
            cls.b_proxy.static = ["a.example=%s" % cls.a_proxy.inbound]
            cls.i_proxy.static = ["a.example=%s" % cls.a_proxy.inbound]
            for prosody, proxy in ((cls.a, cls.a_proxy), (cls.b, cls.b_proxy), (cls.i, cls.i_proxy)):
                cls.start(prosody, proxy)
            cls.a.register("alice", "alice-pw")
            cls.b.register("bob", "bob-pw")
            cls.i.register("mallory", "mallory-pw")
        except BaseException:
            sys.stderr.write(cls.workspace.logs())
            cls.workspace.close()
            raise

    def test_1_users_exchange_messages_both_ways_over_openpgp(self):
        async def scenario():
            alice = await w.Client("alice@a.example", "alice-pw", self.a.c2s_port).connect()
            bob = await w.Client("bob@b.example", "bob-pw", self.b.c2s_port).connect()
            try:
                await exchange(self, alice, bob, "bob@b.example", "hello bob, from a.example")
                await exchange(self, bob, alice, "alice@a.example", "hello alice, from b.example")
                await exchange(self, alice, bob, "bob@b.example", "second message on the same links")
            finally:
                alice.disconnect()
                bob.disconnect()

        asyncio.run(scenario())
        ca = keys().fpr["ca"]
        for proxy, remote, local in ((self.a_proxy, "b.example", "a.example"),
                                     (self.b_proxy, "a.example", "b.example")):
            log = proxy.process.wait_for_log("s2s in %s -> %s: cert=openpgp" % (remote, local))
            line = next(l for l in log.splitlines() if ("s2s in %s -> %s" % (remote, local)) in l)
            self.assertIn(ca.lower(), line.lower(), line)
            self.assertIn("xmpp:%s" % remote, line)
            log = proxy.process.wait_for_log("s2s out %s -> %s" % (local, remote))
            line = next(l for l in log.splitlines() if ("s2s out %s -> %s" % (local, remote)) in l)
            self.assertIn("cert=openpgp", line)
        for prosody, remote in ((self.a, "b.example"), (self.b, "a.example")):
            prosody.wait_for_log("Accepting SASL EXTERNAL identity from " + remote)
            prosody.wait_for_log("authenticated for %s over TLS" % remote)

    def test_2_impostor_claiming_b_is_refused_and_its_sender_gets_a_bounce(self):
        async def scenario():
            alice = await w.Client("alice@a.example", "alice-pw", self.a.c2s_port).connect()
            mallory = await w.Client("mallory@b.example", "mallory-pw", self.i.c2s_port).connect()
            bob = await w.Client("bob@b.example", "bob-pw", self.b.c2s_port).connect()
            try:
                mallory.send("alice@a.example", "I am b.example, trust me")
                bounce = await mallory.receive()
                self.assertEqual(bounce["type"], "error", "got %s" % bounce)
                self.assertEqual(str(bounce["from"]), "alice@a.example")
                self.assertIn("remote-connection-failed", bounce["error"]["text"])
                # The refused message was never delivered: the next one
                # alice gets is the genuine bob's.
                await exchange(self, bob, alice, "alice@a.example", "the real bob")
            finally:
                alice.disconnect()
                mallory.disconnect()
                bob.disconnect()

        asyncio.run(scenario())
        log = self.a_proxy.process.wait_for_log("refused")
        refusals = [l for l in log.splitlines() if "s2s in" in l and "refused" in l]
        self.assertTrue(refusals, log)
        self.i_proxy.process.wait_for_log("s2s out b.example -> a.example: failed")
        # The refusal names the cause and the fix.
        self.assertIn("not certified by any configured authority", refusals[-1])
        self.assertIn(keys().fpr["impostor"].upper(), refusals[-1].upper())


    def test_3_bad_input_at_the_inbound_port_is_dropped_and_the_proxy_keeps_serving(self):
        port = self.a_proxy.inbound_port
        header = w.stream_header("b.example", "a.example")
        bomb = ("<?xml version='1.0'?><!DOCTYPE lolz [<!ENTITY lol 'lol'>"
                "<!ENTITY lol2 '&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;'>]>"
                + header[len("<?xml version='1.0'?>"):] + "&lol2;")
        huge = header[:-1] + " x='" + "a" * (1 << 20) + "'>"
        cases = [("garbage", b"hello, this is not XML at all\r\n", "not-well-formed"),
                 ("a 1 MiB stream header", huge.encode(), "policy-violation"),
                 ("an entity-expansion document", bomb.encode(), "restricted-xml"),
                 ("a silent peer", b"", "connection-timeout")]
        for name, data, condition in cases:
            sock = socket.create_connection(("127.0.0.1", port), timeout=w.EVENT_TIMEOUT)
            local_port = sock.getsockname()[1]
            try:
                sock.sendall(data)
            except OSError:
                pass  # closed while we were still sending (the cap hit first)
            try:
                while sock.recv(65536):
                    pass  # until pgptls closes the connection
            except OSError:
                pass
            sock.close()
            log = self.a_proxy.process.wait_for_log("s2s in 127.0.0.1:%d: refused" % local_port)
            line = [l for l in log.splitlines() if "s2s in 127.0.0.1:%d: refused" % local_port in l][-1]
            self.assertIn(condition, line, name)

        # The proxy still serves real servers.
        async def scenario():
            alice = await w.Client("alice@a.example", "alice-pw", self.a.c2s_port).connect()
            bob = await w.Client("bob@b.example", "bob-pw", self.b.c2s_port).connect()
            try:
                await exchange(self, bob, alice, "alice@a.example", "still here after the bad input")
                await exchange(self, alice, bob, "bob@b.example", "and back")
            finally:
                alice.disconnect()
                bob.disconnect()

        asyncio.run(scenario())
        self.assertTrue(self.a_proxy.process.running())


def starttls_client(ip, port, from_host, to_host, cert, key):
    """A raw s2s initiator: stream header, <starttls/>, TLS with an X.509
    client certificate, then the restarted header. Returns (tls socket,
    what the server sent after the restarted header began)."""
    raw = socket.create_connection((ip, port), timeout=w.EVENT_TIMEOUT)
    raw.sendall(w.stream_header(from_host, to_host).encode())
    received = b""
    while b"</stream:features>" not in received:
        chunk = raw.recv(65536)
        if not chunk:
            raise AssertionError("closed before features: %r" % received)
        received += chunk
    raw.sendall(b"<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")
    received = b""
    while b"<proceed" not in received:
        chunk = raw.recv(65536)
        if not chunk:
            raise AssertionError("closed before proceed: %r" % received)
        received += chunk
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.load_cert_chain(cert, key)
    return context.wrap_socket(raw, server_hostname=to_host)


def read_tls(sock, marker):
    received = b""
    while marker.encode() not in received:
        try:
            chunk = sock.recv(65536)
        except (ssl.SSLError, ConnectionResetError):
            break
        if not chunk:
            break
        received += chunk
    return received.decode("utf-8", "replace")


@unittest.skipUnless(HAS_S2S, "no pgptls program with an s2s command given")
class X509PinTest(Federation):
    """a.example behind pgptls (OpenPGP and X.509 credentials) and
    c.example, a plain Prosody doing its own X.509 TLS: refused without a
    pin, works after `pgptls pin add`. Also a raw X.509 initiator whose
    restarted header claims another domain than its pinned certificate."""

    @classmethod
    def setUpClass(cls):
        cls.workspace = w.Workspace()
        try:
            cls.x509 = w.X509Authority(cls.workspace.path("x509"))
            a_x509 = cls.x509.issue("a.example")
            cls.c_cert, cls.c_key = cls.x509.issue("c.example")
            cls.x_cert, cls.x_key = cls.x509.issue("x.example", self_signed=True)
            cls.a, cls.a_proxy = cls.prosody_behind_pgptls("a", "a.example", "127.0.0.1", "a", x509=a_x509)
            # c trusts the test CA, so it validates a's X.509 certificate and
            # offers SASL EXTERNAL to it.
            cls.c = w.Prosody(cls.workspace, "c", "c.example", "127.0.0.3",
                              tls=dict(certificate=cls.c_cert, key=cls.c_key, cafile=cls.x509.cert))
            cls.d_cert, cls.d_key = cls.x509.issue("d.example")
            cls.d = w.Prosody(cls.workspace, "d", "d.example", "127.0.0.6",
                              tls=dict(certificate=cls.d_cert, key=cls.d_key, cafile=cls.x509.cert))
            cls.dns = w.Dnsmasq(cls.workspace,
                                srv=[("_xmpp-server._tcp.a.example", "a.example", cls.a_proxy.inbound_port, 0, 0)],
                                hosts=[("a.example", "127.0.0.1")]).start()
            cls.c.set_dns(cls.dns.port)
            cls.d.set_dns(cls.dns.port)
            cls.a_proxy.static = ["c.example=127.0.0.3:%d" % cls.c.s2s_port,
                                  "d.example=127.0.0.6:%d" % cls.d.s2s_port]
            cls.start(cls.a, cls.a_proxy)
            cls.c.start()
            cls.d.start()
            cls.a.register("alice", "alice-pw")
            cls.c.register("carol", "carol-pw")
            cls.d.register("dave", "dave-pw")
        except BaseException:
            sys.stderr.write(cls.workspace.logs())
            cls.workspace.close()
            raise

    def test_1_plain_x509_peer_refused_without_pin_then_accepted_after_pin_add(self):
        async def before_pin():
            alice = await w.Client("alice@a.example", "alice-pw", self.a.c2s_port).connect()
            try:
                alice.send("carol@c.example", "before the pin")
                bounce = await alice.receive()
                self.assertEqual(bounce["type"], "error", "got %s" % bounce)
                self.assertIn("remote-connection-failed", bounce["error"]["text"])
            finally:
                alice.disconnect()

        asyncio.run(before_pin())
        self.a_proxy.process.wait_for_log("s2s out a.example -> c.example: failed")

        self.a_proxy.tool(["pin", "add", "c.example", "--cert", self.c_cert])

        async def after_pin():
            alice = await w.Client("alice@a.example", "alice-pw", self.a.c2s_port).connect()
            carol = await w.Client("carol@c.example", "carol-pw", self.c.c2s_port).connect()
            try:
                await exchange(self, alice, carol, "carol@c.example", "after the pin")
                await exchange(self, carol, alice, "alice@a.example", "hello from plain c.example")
            finally:
                alice.disconnect()
                carol.disconnect()

        asyncio.run(after_pin())
        log = self.a_proxy.process.wait_for_log("s2s in c.example -> a.example: cert=x509")
        self.assertIn("pin", [l for l in log.splitlines() if "s2s in c.example -> a.example" in l][-1])
        self.a_proxy.process.wait_for_log("s2s out a.example -> c.example via 127.0.0.3:%d" % self.c.s2s_port)
        self.c.wait_for_log("Accepting SASL EXTERNAL identity from a.example")
        self.a.wait_for_log("Accepting SASL EXTERNAL identity from c.example")

    def test_3_signed_pin_from_pins_refresh(self):
        # d.example's operator publishes a POSH statement of its certificate
        # signed by the authority (RFC 7711 + detached OpenPGP signature);
        # a.example's operator fetches it with `pgptls pins refresh`.
        site = self.workspace.path("posh-d")
        statement = os.path.join(site, ".well-known", "posh", "xmpp-server.json")
        os.makedirs(os.path.dirname(statement))
        self.a_proxy.tool(["pins", "sign-statement", "--x509-cert", self.d_cert, "--openpgp-key",
                           keys().file("ca.sec"), "--key", keys().ca_signing_subkey, "--domain", "d.example",
                           "--out", statement])
        # openssl s_server -HTTP sends each file as the whole response.
        for path in (statement, statement + ".sig"):
            with open(path, "rb") as f:
                body = f.read()
            with open(path, "wb") as f:
                f.write(b"HTTP/1.0 200 ok\r\nContent-Type: application/octet-stream\r\n\r\n" + body)
        https_port = w.free_port()
        site_cert, site_key = self.x509.issue("d.example", name="posh-d-https")
        # Without -quiet, s_server prints ACCEPT once it listens.
        server = self.workspace.start("posh-https", ["openssl", "s_server", "-HTTP", "-accept",
                                                     "127.0.0.1:%d" % https_port, "-cert", site_cert,
                                                     "-key", site_key], cwd=site)
        server.wait_for_log("ACCEPT")

        async def send_to_dave(expect_bounce):
            alice = await w.Client("alice@a.example", "alice-pw", self.a.c2s_port).connect()
            dave = None
            try:
                if expect_bounce:
                    alice.send("dave@d.example", "before the signed pin")
                    bounce = await alice.receive()
                    self.assertEqual(bounce["type"], "error", "got %s" % bounce)
                    return
                dave = await w.Client("dave@d.example", "dave-pw", self.d.c2s_port).connect()
                await exchange(self, alice, dave, "dave@d.example", "after the signed pin")
            finally:
                alice.disconnect()
                if dave:
                    dave.disconnect()

        asyncio.run(send_to_dave(expect_bounce=True))
        self.a_proxy.process.wait_for_log("s2s out a.example -> d.example: failed")
        self.a_proxy.tool(["authority", "add", keys().file("ca.asc"), "--scope", "*.example"])
        out = self.a_proxy.tool(["pins", "refresh", "d.example", "--cafile", self.x509.cert,
                                 "--connect-to", "d.example:443:127.0.0.1:%d" % https_port])
        self.assertIn("updated", out)
        server.stop()
        asyncio.run(send_to_dave(expect_bounce=False))
        self.d.wait_for_log("Accepting SASL EXTERNAL identity from a.example")

    def test_2_restarted_from_other_than_authenticated_domain_is_invalid_from(self):
        self.a_proxy.tool(["pin", "add", "x.example", "--cert", self.x_cert])
        # Control: the pinned x.example, claiming itself, reaches Prosody.
        tls = starttls_client("127.0.0.1", self.a_proxy.inbound_port, "x.example", "a.example",
                              self.x_cert, self.x_key)
        tls.sendall(w.stream_header("x.example", "a.example").encode())
        self.assertIn("<mechanism>EXTERNAL</mechanism>", read_tls(tls, "</stream:features>"))
        tls.close()
        # The same certificate, claiming c.example after STARTTLS.
        tls = starttls_client("127.0.0.1", self.a_proxy.inbound_port, "x.example", "a.example",
                              self.x_cert, self.x_key)
        tls.sendall(w.stream_header("c.example", "a.example").encode())
        reply = read_tls(tls, "</stream:stream>")
        tls.close()
        self.assertIn("<invalid-from", reply)
        self.assertNotIn("EXTERNAL", reply)
        self.a_proxy.process.wait_for_log("invalid-from")


@unittest.skipUnless(HAS_S2S, "no pgptls program with an s2s command given")
class SrvTest(Federation):
    """DNS from dnsmasq, no static overrides: a -> b finds a dead Direct TLS
    target first, then b's Direct TLS target; b -> a finds a dead STARTTLS
    target first, then a's STARTTLS target (RFC 6120 §3.2.1, XEP-0368)."""

    @classmethod
    def setUpClass(cls):
        cls.workspace = w.Workspace()
        try:
            k = keys()
            cls.dead_port = w.free_port("127.0.0.5")  # nothing listens there
            cls.a, cls.a_proxy = cls.prosody_behind_pgptls("a", "a.example", "127.0.0.1", "a",
                                                           keyring=[k.file("b.asc")])
            cls.b, cls.b_proxy = cls.prosody_behind_pgptls("b", "b.example", "127.0.0.2", "b",
                                                           keyring=[k.file("a.asc")])
            cls.dns = w.Dnsmasq(cls.workspace, srv=[
                ("_xmpps-server._tcp.b.example", "dead.example", cls.dead_port, 0, 0),
                ("_xmpps-server._tcp.b.example", "b.example", cls.b_proxy.inbound_port, 5, 0),
                ("_xmpp-server._tcp.a.example", "dead.example", cls.dead_port, 0, 0),
                ("_xmpp-server._tcp.a.example", "a.example", cls.a_proxy.inbound_port, 10, 0),
            ], hosts=[("a.example", "127.0.0.1"), ("b.example", "127.0.0.2"),
                      ("dead.example", "127.0.0.5")]).start()
            for proxy in (cls.a_proxy, cls.b_proxy):
                proxy.dns_server = "127.0.0.1:%d" % cls.dns.port
            cls.start(cls.a, cls.a_proxy)
            cls.start(cls.b, cls.b_proxy)
            cls.a.register("alice", "alice-pw")
            cls.b.register("bob", "bob-pw")
        except BaseException:
            sys.stderr.write(cls.workspace.logs())
            cls.workspace.close()
            raise

    def test_srv_dead_first_target_direct_tls_and_starttls(self):
        async def scenario():
            alice = await w.Client("alice@a.example", "alice-pw", self.a.c2s_port).connect()
            bob = await w.Client("bob@b.example", "bob-pw", self.b.c2s_port).connect()
            try:
                await exchange(self, alice, bob, "bob@b.example", "found through _xmpps-server")
                await exchange(self, bob, alice, "alice@a.example", "found through _xmpp-server")
            finally:
                alice.disconnect()
                bob.disconnect()

        asyncio.run(scenario())
        log = self.a_proxy.process.wait_for_log("s2s out a.example -> b.example via 127.0.0.2:%d"
                                                % self.b_proxy.inbound_port)
        line = [l for l in log.splitlines() if "s2s out a.example -> b.example via" in l][-1]
        self.assertRegex(line, re.compile("direct", re.IGNORECASE))
        log = self.b_proxy.process.wait_for_log("s2s out b.example -> a.example via 127.0.0.1:%d"
                                                % self.a_proxy.inbound_port)
        line = [l for l in log.splitlines() if "s2s out b.example -> a.example via" in l][-1]
        self.assertIn("starttls", line)
        self.dns.process.wait_for_log("query[SRV] _xmpps-server._tcp.b.example")
        self.dns.process.wait_for_log("query[SRV] _xmpp-server._tcp.a.example")


if __name__ == "__main__":
    unittest.main(verbosity=2)
