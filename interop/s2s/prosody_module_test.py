"""prosody_module_test: mod_pgptls inside a real Prosody 0.12 (Debian), with
a test-only PROXY v2 sender and a test-only outbound listener standing in
for `pgptls s2s`, plus the harness itself: two plain Prosody instances
federating over X.509 TLS with DNS SRV from dnsmasq.

Run: /usr/bin/python3 prosody_module_test.py  (ctest runs it; needs root
for Prosody's run_as_root, prosody, dnsmasq, openssl, python3-slixmpp)."""

import asyncio
import base64
import os
import socket
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import s2s_world as w  # noqa: E402

SASL = "urn:ietf:params:xml:ns:xmpp-sasl"


class LoggedTestCase(unittest.TestCase):
    """Prints every process's log when a test fails."""

    workspace = None
    own_workspace = None  # a workspace this one test made, closed after its logs

    def run(self, result=None):
        result = result or self.defaultTestResult()
        failures_before = len(result.failures) + len(result.errors)
        outcome = super().run(result)
        if len(result.failures) + len(result.errors) > failures_before and self.workspace:
            sys.stderr.write("\n----- logs for %s -----\n%s\n" % (self.id(), self.workspace.logs()))
            for name in sorted(os.listdir(self.workspace.dir)):
                path = self.workspace.path(name, "prosody.log")
                if os.path.exists(path):
                    with open(path, errors="replace") as f:
                        sys.stderr.write("===== prosody %s log (tail) =====\n%s\n" % (name, f.read()[-15000:]))
        if self.own_workspace:
            self.own_workspace.close()
        return outcome


class ModuleTest(LoggedTestCase):
    """One Prosody (a.example) with mod_pgptls; each case opens its own
    connections, so the cases stay independent."""

    @classmethod
    def setUpClass(cls):
        cls.workspace = w.Workspace()
        try:
            cls.outbound = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            cls.outbound.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            cls.outbound.bind(("127.0.0.1", 0))
            cls.outbound.listen(8)
            cls.outbound_port = cls.outbound.getsockname()[1]
            cls.a = w.Prosody(cls.workspace, "a", "a.example", "127.0.0.1",
                              pgptls=dict(proxy_addresses=["127.0.0.1"],
                                          outbound="127.0.0.1:%d" % cls.outbound_port))
            cls.a.start()
            cls.a.register("alice", "alice-pw")
        except BaseException:
            sys.stderr.write(cls.workspace.logs())
            cls.workspace.close()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.outbound.close()
        cls.workspace.close()

    def setUp(self):
        self.log_start = self.a.log_size()

    def proxied(self, domain="b.example", source_ip="127.0.0.1", info="cert=openpgp test"):
        stream = w.RawStream("127.0.0.1", self.a.s2s_port, source_ip=source_ip)
        header = w.proxy_v2_header("192.0.2.7", 40000, "127.0.0.1", 5269, domain=domain, info=info)
        return stream, header

    # -- inbound ------------------------------------------------------------

    def test_marked_stream_offers_and_accepts_sasl_external_and_delivers(self):
        async def scenario():
            alice = await w.Client("alice@a.example", "alice-pw", self.a.c2s_port).connect()
            try:
                stream, header = self.proxied()
                # The PROXY header and the stream header in one write: the
                # bytes after the PROXY header reach the XML parser unchanged.
                stream.send(header + w.stream_header("b.example", "a.example").encode())
                features = stream.read_until("</stream:features>")
                self.assertIn("<mechanism>EXTERNAL</mechanism>", features)
                self.assertNotIn("starttls", features)
                stream.send("<auth xmlns='%s' mechanism='EXTERNAL'>%s</auth>"
                            % (SASL, base64.b64encode(b"b.example").decode()))
                self.assertIn("<success", stream.read_until("<success"))
                stream.send(w.stream_header("b.example", "a.example"))
                stream.read_until("</stream:features>")
                stream.send("<message from='bob@b.example/r' to='alice@a.example' type='chat' id='m1'>"
                            "<body>over a marked stream</body></message>")
                message = await alice.receive()
                self.assertEqual(message["body"], "over a marked stream")
                self.assertEqual(str(message["from"]), "bob@b.example/r")
                stream.close()
            finally:
                alice.disconnect()

        asyncio.run(scenario())
        log = self.a.wait_for_log("Accepting SASL EXTERNAL identity from b.example", start=self.log_start)
        self.assertIn("pgptls: stream from 192.0.2.7 port 40000 authenticated for b.example over TLSv1.2 "
                      "(cert=openpgp test)", log[self.log_start:])

    def test_header_and_stream_in_separate_writes(self):
        stream, header = self.proxied()
        stream.send(header[:7])
        stream.send(header[7:20])
        stream.send(header[20:])
        stream.send(w.stream_header("b.example", "a.example"))
        self.assertIn("<mechanism>EXTERNAL</mechanism>", stream.read_until("</stream:features>"))
        stream.close()

    def test_from_other_than_authenticated_domain_is_invalid_from(self):
        stream, header = self.proxied(domain="b.example")
        stream.send(header + w.stream_header("evil.example", "a.example").encode())
        reply = stream.read_to_close()
        stream.close()
        self.assertIn("<invalid-from", reply)
        self.assertIn("pgptls authenticated b.example, not evil.example", reply)
        self.assertNotIn("EXTERNAL", reply)
        self.a.wait_for_log("pgptls: stream claims evil.example but pgptls authenticated b.example",
                            start=self.log_start)

    def refused(self, data, reason):
        stream = w.RawStream("127.0.0.1", self.a.s2s_port, source_ip="127.0.0.1")
        stream.send(data)
        reply = stream.read_to_close()
        stream.close()
        self.assertIn("<not-authorized", reply)
        self.assertIn("pgptls: " + reason, reply)
        self.assertNotIn("EXTERNAL", reply)
        self.a.wait_for_log("pgptls: refusing connection from 127.0.0.1: " + reason, start=self.log_start)

    def test_plain_stream_from_proxy_address_is_refused(self):
        self.refused(w.stream_header("b.example", "a.example"), "no PROXY protocol v2 signature")

    def test_header_without_domain_is_refused(self):
        header = w.proxy_v2_header("192.0.2.7", 40000, "127.0.0.1", 5269, domain=None)
        self.refused(header + w.stream_header("b.example", "a.example").encode(),
                     "no TLV 0xE0 (authenticated domain)")

    def test_local_command_is_refused(self):
        header = bytearray(w.proxy_v2_header("192.0.2.7", 40000, "127.0.0.1", 5269, domain="b.example"))
        header[12] = 0x20  # version 2, command LOCAL
        self.refused(bytes(header), "PROXY command 0x0, expected 0x1 (PROXY)")

    def test_tlv_longer_than_the_header_is_refused(self):
        # TLV 0xE1 claims 50 bytes but the header ends after 5.
        header = w.proxy_v2_header("192.0.2.7", 40000, "127.0.0.1", 5269, domain="b.example",
                                   extra_tlvs=b"\xe1\x00\x32short")
        self.refused(header, "TLV 0xe1 claims 50 bytes, 5 left")

    def test_other_address_is_never_marked(self):
        # From 127.0.0.5 (not in pgptls_proxy_addresses) a PROXY header is
        # just bytes: the XML parser rejects them.
        stream, header = self.proxied(source_ip="127.0.0.5")
        stream.send(header + w.stream_header("b.example", "a.example").encode())
        reply = stream.read_to_close()
        stream.close()
        self.assertIn("not-well-formed", reply)
        self.assertNotIn("EXTERNAL", reply)
        # A plain stream from there is an ordinary unauthenticated one: no
        # SASL EXTERNAL offer.
        stream = w.RawStream("127.0.0.1", self.a.s2s_port, source_ip="127.0.0.5")
        stream.send(w.stream_header("b.example", "a.example"))
        features = stream.read_until("</stream:features>")
        self.assertNotIn("EXTERNAL", features)
        stream.close()
        self.assertNotIn("pgptls: stream from", self.a.log()[self.log_start:])

    # -- outbound -----------------------------------------------------------

    def accept_outbound(self):
        self.outbound.settimeout(w.EVENT_TIMEOUT)
        conn, _ = self.outbound.accept()
        conn.settimeout(w.EVENT_TIMEOUT)
        return conn

    @staticmethod
    def read_until(conn, marker, received=b""):
        while marker.encode() not in received:
            chunk = conn.recv(65536)
            if not chunk:
                break
            received += chunk
        return received

    @staticmethod
    def read_stream_header(conn):
        """Reads until a complete <stream:stream ...> start tag arrived."""
        received = b""
        while True:
            start = received.find(b"<stream:stream")
            if start >= 0 and received.find(b">", start) >= 0:
                return received.decode()
            chunk = conn.recv(65536)
            if not chunk:
                return received.decode()
            received += chunk

    def test_outgoing_link_goes_to_pgptls_and_uses_sasl_external(self):
        async def scenario():
            alice = await w.Client("alice@a.example", "alice-pw", self.a.c2s_port).connect()
            try:
                alice.send("bob@b.example", "through pgptls")
                conn = await asyncio.to_thread(self.accept_outbound)
                with conn:
                    header = await asyncio.to_thread(self.read_stream_header, conn)
                    self.assertIn("from='a.example'", header)
                    self.assertIn("to='b.example'", header)
                    # The remote (through pgptls) offers EXTERNAL; a secure,
                    # identity-valid s2sout session takes it.
                    conn.sendall((w.stream_header("b.example", "a.example", "s1")
                                  + "<stream:features><mechanisms xmlns='%s'><mechanism>EXTERNAL</mechanism>"
                                    "</mechanisms></stream:features>" % SASL).encode())
                    auth = (await asyncio.to_thread(self.read_until, conn, "</auth>")).decode()
                    self.assertIn("mechanism='EXTERNAL'", auth)
                    self.assertNotIn("starttls", auth)
                    conn.sendall(("<success xmlns='%s'/>" % SASL).encode())
                    restarted = await asyncio.to_thread(self.read_stream_header, conn)
                    self.assertIn("to='b.example'", restarted)
                    conn.sendall((w.stream_header("b.example", "a.example", "s2")
                                  + "<stream:features/>").encode())
                    stanza = (await asyncio.to_thread(self.read_until, conn, "</message>")).decode()
                    self.assertIn("<body>through pgptls</body>", stanza)
                    self.assertIn("to='bob@b.example'", stanza)
            finally:
                alice.disconnect()

        asyncio.run(scenario())
        self.a.wait_for_log("pgptls: routing s2s a.example -> b.example via pgptls at 127.0.0.1:%d"
                            % self.outbound_port, start=self.log_start)

    def test_failed_outgoing_link_bounces_the_message(self):
        async def scenario():
            alice = await w.Client("alice@a.example", "alice-pw", self.a.c2s_port).connect()
            try:
                alice.send("dave@d.example", "nobody home")
                conn = await asyncio.to_thread(self.accept_outbound)
                with conn:
                    await asyncio.to_thread(self.read_stream_header, conn)
                    # What pgptls answers when it cannot reach or authenticate
                    # the remote (RFC 6120 §4.9.3.16).
                    conn.sendall((w.stream_header("d.example", "a.example", "f1")
                                  + "<stream:error><remote-connection-failed xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>"
                                    "<text xmlns='urn:ietf:params:xml:ns:xmpp-streams'>no route to d.example</text>"
                                    "</stream:error></stream:stream>").encode())
                    bounce = await alice.receive()
                self.assertEqual(bounce["type"], "error")
                self.assertEqual(str(bounce["from"]), "dave@d.example")
                self.assertEqual(bounce["error"]["condition"], "remote-server-timeout")
                self.assertIn("remote-connection-failed", bounce["error"]["text"])
            finally:
                alice.disconnect()

        asyncio.run(scenario())


class HarnessTest(LoggedTestCase):
    """Two plain Prosody instances (no pgptls) federate with X.509 from a
    test CA, finding each other through SRV records served by dnsmasq: the
    harness works before any pgptls is involved."""

    def test_plain_federation_over_dnsmasq(self):
        self.workspace = self.own_workspace = w.Workspace()
        ca = w.X509Authority(self.workspace.path("x509"))
        a_cert, a_key = ca.issue("a.example")
        c_cert, c_key = ca.issue("c.example")
        # Ports first (the SRV records name them), then DNS, then Prosody.
        a = w.Prosody(self.workspace, "a", "a.example", "127.0.0.1",
                      tls=dict(certificate=a_cert, key=a_key, cafile=ca.cert))
        c = w.Prosody(self.workspace, "c", "c.example", "127.0.0.3",
                      tls=dict(certificate=c_cert, key=c_key, cafile=ca.cert))
        dns = w.Dnsmasq(self.workspace,
                        srv=[("_xmpp-server._tcp.a.example", "a.example", a.s2s_port, 0, 0),
                             ("_xmpp-server._tcp.c.example", "c.example", c.s2s_port, 0, 0)],
                        hosts=[("a.example", "127.0.0.1"), ("c.example", "127.0.0.3")]).start()
        a.set_dns(dns.port)
        c.set_dns(dns.port)
        a.start()
        c.start()
        a.register("alice", "alice-pw")
        c.register("carol", "carol-pw")

        async def scenario():
            alice = await w.Client("alice@a.example", "alice-pw", a.c2s_port).connect()
            carol = await w.Client("carol@c.example", "carol-pw", c.c2s_port).connect()
            try:
                alice.send("carol@c.example", "hello carol")
                message = await carol.receive()
                self.assertEqual(message["body"], "hello carol")
                carol.send("alice@a.example", "hello alice")
                message = await alice.receive()
                self.assertEqual(message["body"], "hello alice")
            finally:
                alice.disconnect()
                carol.disconnect()

        asyncio.run(scenario())
        a.wait_for_log("Results for _xmpp-server._tcp.c.example IN SRV: 1 items")
        a.wait_for_log("Accepting SASL EXTERNAL identity from c.example")
        self.assertIn("dnsmasq", dns.process.name)
        dns.process.wait_for_log("query[SRV] _xmpp-server._tcp.c.example")


if __name__ == "__main__":
    unittest.main(verbosity=2)
