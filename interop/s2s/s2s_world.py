"""s2s_world: the pieces the s2s interop tests start on loopback.

Real programs from Debian packages, each started by the test in its own
temporary directory, on 127.0.0.x and a free port, stopped by PID:

  Prosody   `prosody --config FILE -F` (run_as_root, own data dir, pidfile,
            log file printed when a test fails)
  Dnsmasq   `dnsmasq` in the foreground, answering SRV/A records for the
            test domains
  Pgptls    `pgptls s2s --config FILE`, the XMPP s2s proxy
  Client    a slixmpp client (python3-slixmpp) that logs in over c2s and
            sends or receives messages

Every wait is bounded and waits for an event (a log line, a port, a
message), never for time to pass.
"""

import asyncio
import ctypes
import os
import select
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
CONTRIB = os.path.normpath(os.path.join(HERE, "..", "..", "contrib", "prosody"))

# Bounds for waits: generous for a loaded 2-core CI machine, never reached
# when things work (each wait returns as soon as its event happens).
START_TIMEOUT = 30.0
EVENT_TIMEOUT = 20.0


class WaitTimeout(AssertionError):
    pass


def free_port(ip="127.0.0.1"):
    """A TCP port on ip that was free a moment ago (bound to 0, released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((ip, 0))
        return sock.getsockname()[1]


def free_udp_tcp_port(ip="127.0.0.1"):
    """A port free for both UDP and TCP on ip (DNS listens on both)."""
    for _ in range(50):
        port = free_port(ip)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            try:
                sock.bind((ip, port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free UDP+TCP port")


_LIBC = ctypes.CDLL(None, use_errno=True)
_IN_MODIFY = 0x00000002  # inotify(7): a file in the watched folder was written
_IN_CREATE = 0x00000100  # ... or created
_IN_NONBLOCK = os.O_NONBLOCK
_IN_CLOEXEC = os.O_CLOEXEC


def wait_for_log_event(predicate, timeout, what, log_path, pid):
    """Calls predicate each time a file in log_path's folder is written
    (inotify) or the process pid exits (pidfd), until it returns a true
    value; WaitTimeout after timeout. No timer paces it: a log line or an
    exit wakes it. The folder is watched, so the log need not exist yet."""
    deadline = time.monotonic() + timeout
    watch = _LIBC.inotify_init1(_IN_NONBLOCK | _IN_CLOEXEC)
    if watch < 0:
        raise OSError(ctypes.get_errno(), "inotify_init1")
    exited = None
    try:
        folder = os.fsencode(os.path.dirname(os.path.abspath(log_path)))
        if _LIBC.inotify_add_watch(watch, folder, _IN_MODIFY | _IN_CREATE) < 0:
            raise OSError(ctypes.get_errno(), "inotify_add_watch %s" % folder)
        poller = select.poll()
        poller.register(watch, select.POLLIN)
        try:
            if pid is not None:
                exited = os.pidfd_open(pid)
                poller.register(exited, select.POLLIN)
        except ProcessLookupError:
            pass  # already gone: the predicate sees it
        while True:
            value = predicate()  # after the watch exists: no write is missed
            if value:
                return value
            left = deadline - time.monotonic()
            if left <= 0:
                raise WaitTimeout("timed out after %.0f s waiting for %s" % (timeout, what))
            poller.poll(left * 1000)
            try:
                while os.read(watch, 4096):
                    pass
            except BlockingIOError:
                pass
    finally:
        os.close(watch)
        if exited is not None:
            os.close(exited)


class Process:
    """A long-running program whose stdout+stderr go to a log file."""

    def __init__(self, name, argv, log_path, cwd=None, env=None):
        self.name = name
        self.argv = argv
        self.log_path = log_path
        full_env = dict(os.environ)
        full_env.update(env or {})
        self._log = open(log_path, "ab")
        self.proc = subprocess.Popen(argv, stdout=self._log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, cwd=cwd, env=full_env)

    @property
    def pid(self):
        return self.proc.pid

    def log(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def running(self):
        return self.proc.poll() is None

    def wait_for_log(self, text, timeout=EVENT_TIMEOUT, start=0):
        """Waits until the log (from offset `start`) contains text; returns
        the log. Fails early when the program exits without writing it."""

        def seen():
            log = self.log()
            if text in log[start:]:
                return log
            if not self.running():
                log = self.log()
                if text in log[start:]:
                    return log
                raise AssertionError("%s exited (code %s) before logging %r; log:\n%s"
                                     % (self.name, self.proc.returncode, text, log[-6000:]))
            return None

        return wait_for_log_event(seen, timeout, "%r in %s's log" % (text, self.name),
                                  self.log_path, self.proc.pid)

    def stop(self, timeout=15.0):
        """SIGTERM by PID, then SIGKILL if it does not exit in time;
        returns the exit code."""
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self._log.close()
        return self.proc.returncode


class Workspace:
    """A temporary directory holding every process's files; stops all
    processes (by PID, newest first) and removes the directory on close."""

    def __init__(self, prefix="pgptls-s2s-"):
        self.dir = tempfile.mkdtemp(prefix=prefix)
        os.chmod(self.dir, 0o700)
        self.processes = []

    def path(self, *parts):
        return os.path.join(self.dir, *parts)

    def start(self, name, argv, cwd=None, env=None):
        process = Process(name, argv, self.path(name + ".log"), cwd=cwd, env=env)
        self.processes.append(process)
        return process

    def logs(self):
        """Every process's log, for a failing test's output."""
        parts = []
        for process in self.processes:
            try:
                parts.append("===== %s (pid %d) =====\n%s" % (process.name, process.pid, process.log()[-20000:]))
            except OSError:
                pass
        return "\n".join(parts)

    def close(self):
        for process in reversed(self.processes):
            process.stop()
        self.processes = []
        shutil.rmtree(self.dir, ignore_errors=True)


# ---------------------------------------------------------------- Prosody


def lua_string(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def lua_list(items):
    return "{ " + ", ".join(lua_string(i) for i in items) + " }"


class Prosody:
    """One Prosody instance hosting `domain`: c2s on 127.0.0.1, s2s on
    `s2s_ip`, both on free ports; DNS through `dns_port` (dnsmasq) when
    given. `pgptls` = dict(proxy_addresses=[...], outbound="IP:PORT") loads
    mod_pgptls; `tls` = dict(certificate=..., key=..., cafile=...) gives it
    X.509 TLS of its own."""

    def __init__(self, workspace, name, domain, s2s_ip="127.0.0.1", dns_port=None,
                 pgptls=None, tls=None, extra=""):
        self.workspace = workspace
        self.name = name
        self.domain = domain
        self.s2s_ip = s2s_ip
        self.dir = workspace.path(name)
        os.makedirs(os.path.join(self.dir, "data"), mode=0o700)
        self.c2s_port = free_port()
        self.s2s_port = free_port(s2s_ip)
        self.config_path = os.path.join(self.dir, "prosody.cfg.lua")
        self.log_path = os.path.join(self.dir, "prosody.log")
        modules = ["roster", "saslauth", "disco", "ping", "dialback", "tls"]
        lines = [
            "-- written by the s2s interop test",
            "run_as_root = true",
            "daemonize = false",
            "pidfile = %s" % lua_string(os.path.join(self.dir, "prosody.pid")),
            "data_path = %s" % lua_string(os.path.join(self.dir, "data")),
            "plugin_paths = %s" % lua_list([CONTRIB]),
            "log = { { levels = { min = \"debug\" }, to = \"file\", filename = %s } }"
            % lua_string(self.log_path),
            "interfaces = { \"127.0.0.1\" }",
            "c2s_ports = { %d }" % self.c2s_port,
            "c2s_interfaces = { \"127.0.0.1\" }",
            "s2s_ports = { %d }" % self.s2s_port,
            "s2s_interfaces = { %s }" % lua_string(s2s_ip),
            "c2s_direct_tls_ports = { }",
            "s2s_direct_tls_ports = { }",
            "http_ports = { }",
            "https_ports = { }",
            "authentication = \"internal_hashed\"",
            "c2s_require_encryption = false",
            "s2s_require_encryption = true",
            "s2s_secure_auth = true",
            "s2s_timeout = 20",
            # Shutdown waits this long for peers' </stream:stream>; keep the
            # teardown of each test short.
            "s2s_close_timeout = 1",
            # The test sends stanzas at once; no presence or offline storage.
            "modules_disabled = { \"offline\", \"posix\" }",
        ]
        self.modules = modules
        self.lines = lines
        self.extra = extra
        if dns_port:
            self.set_dns(dns_port)
        if pgptls:
            self.modules.append("pgptls")
            lines.append("pgptls_proxy_addresses = %s"
                         % lua_list(pgptls.get("proxy_addresses", ["127.0.0.1"])))
            if pgptls.get("outbound"):
                lines.append("pgptls_outbound = %s" % lua_string(pgptls["outbound"]))
        if tls:
            lines.append("ssl = { certificate = %s, key = %s%s }" % (
                lua_string(tls["certificate"]), lua_string(tls["key"]),
                (", cafile = %s" % lua_string(tls["cafile"])) if tls.get("cafile") else ""))
        self.process = None

    def set_dns(self, dns_port):
        """Resolve through 127.0.0.1:dns_port: Prosody 0.12 with lua-unbound
        passes this table to libunbound (forward zone, no resolv.conf, no
        /etc/hosts)."""
        self.lines.append("unbound = { resolvconf = false, hoststxt = false, forward = { \"127.0.0.1@%d\" } }"
                          % dns_port)

    def write_config(self):
        text = "\n".join(self.lines + ["modules_enabled = %s" % lua_list(self.modules), self.extra,
                                       "VirtualHost %s" % lua_string(self.domain)])
        with open(self.config_path, "w") as f:
            f.write(text + "\n")

    def start(self):
        self.write_config()
        self.process = self.workspace.start(
            self.name, ["prosody", "--config", self.config_path, "-F"], cwd=self.dir)
        # Prosody logs "Activated service" once the port listens.
        self.wait_for_log("Activated service 'c2s' on [127.0.0.1]:%d" % self.c2s_port,
                          timeout=START_TIMEOUT)
        self.wait_for_log("Activated service 's2s' on [%s]:%d" % (self.s2s_ip, self.s2s_port),
                          timeout=START_TIMEOUT)
        return self

    def log(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except FileNotFoundError:
            return ""

    def log_size(self):
        return len(self.log())

    def wait_for_log(self, text, timeout=EVENT_TIMEOUT, start=0):
        def seen():
            log = self.log()
            if text in log[start:]:
                return log
            if self.process is not None and not self.process.running():
                raise AssertionError("prosody %s exited (code %s) before logging %r; log:\n%s\n%s"
                                     % (self.name, self.process.proc.returncode, text,
                                        log[-6000:], self.process.log()[-3000:]))
            return None

        return wait_for_log_event(seen, timeout, "%r in prosody %s's log" % (text, self.name),
                                  self.log_path,
                                  self.process.proc.pid if self.process is not None else None)

    def register(self, user, password):
        result = subprocess.run(
            ["prosodyctl", "--config", self.config_path, "register", user, self.domain, password],
            cwd=self.dir, capture_output=True, text=True, timeout=60)
        if result.returncode != 0:
            raise AssertionError("prosodyctl register %s@%s failed: %s %s"
                                 % (user, self.domain, result.stdout, result.stderr))


# ---------------------------------------------------------------- dnsmasq


class Dnsmasq:
    """dnsmasq on 127.0.0.1:port answering only the records it is given:
    srv = [(name, target, port, priority, weight)], hosts = [(name, ip)]."""

    def __init__(self, workspace, srv=(), hosts=()):
        self.workspace = workspace
        self.port = free_udp_tcp_port()
        self.argv = ["dnsmasq", "--keep-in-foreground", "--log-facility=-", "--log-queries",
                     "--conf-file=/dev/null", "--no-resolv", "--no-hosts", "--no-poll",
                     "--listen-address=127.0.0.1", "--bind-interfaces", "--port=%d" % self.port,
                     "--user=root", "--pid-file=" + workspace.path("dnsmasq.pid"),
                     # Authoritative for the test names: a name without a
                     # record is NXDOMAIN / no data, not REFUSED (no upstream).
                     "--local=/example/"]
        for name, target, port, priority, weight in srv:
            self.argv.append("--srv-host=%s,%s,%d,%d,%d" % (name, target, port, priority, weight))
        for name, ip in hosts:
            self.argv.append("--host-record=%s,%s" % (name, ip))
        self.process = None

    def start(self):
        self.process = self.workspace.start("dnsmasq", self.argv)
        # dnsmasq logs "started" after it bound and listens (checked with
        # strace).
        self.process.wait_for_log("started, version", timeout=START_TIMEOUT)
        return self


# ---------------------------------------------------------------- PROXY v2


PROXY_SIGNATURE = b"\r\n\r\n\x00\r\nQUIT\n"


def proxy_tlv(kind, value):
    return struct.pack(">BH", kind, len(value)) + value


def proxy_v2_header(src_ip, src_port, dst_ip, dst_port, domain=None, info=None,
                    tls_version=b"TLSv1.2", extra_tlvs=b""):
    """A PROXY v2 header as the agreed interface describes (test-only
    sender: the real one is `pgptls s2s`)."""
    addresses = (socket.inet_aton(src_ip) + socket.inet_aton(dst_ip)
                 + struct.pack(">HH", src_port, dst_port))
    tlvs = b""
    if domain is not None:
        tlvs += proxy_tlv(0xE0, domain.encode())
    if info is not None:
        tlvs += proxy_tlv(0xE1, info.encode())
    ssl = struct.pack(">BI", 0x07, 0) + proxy_tlv(0x21, tls_version)
    tlvs += proxy_tlv(0x20, ssl) + extra_tlvs
    body = addresses + tlvs
    return PROXY_SIGNATURE + bytes([0x21, 0x11]) + struct.pack(">H", len(body)) + body


class RawStream:
    """A raw TCP connection speaking hand-written s2s XML to a Prosody, for
    the PROXY tests. Reads are bounded by timeouts."""

    def __init__(self, ip, port, source_ip="127.0.0.1"):
        self.sock = socket.create_connection((ip, port), timeout=EVENT_TIMEOUT,
                                             source_address=(source_ip, 0))
        self.received = b""

    def send(self, data):
        self.sock.sendall(data if isinstance(data, bytes) else data.encode())

    def read_until(self, marker, timeout=EVENT_TIMEOUT):
        """Reads until `marker` is in what was received or the peer closes;
        returns everything received."""
        marker = marker.encode() if isinstance(marker, str) else marker
        deadline = time.monotonic() + timeout
        while marker not in self.received:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise WaitTimeout("timed out waiting for %r; got %r" % (marker, self.received))
            self.sock.settimeout(remaining)
            chunk = self.sock.recv(65536)
            if not chunk:
                break
            self.received += chunk
        return self.received.decode("utf-8", "replace")

    def read_to_close(self, timeout=EVENT_TIMEOUT):
        """Reads until the peer closes; returns everything received."""
        return self.read_until(b"\x00never\x00", timeout)

    def close(self):
        self.sock.close()


def stream_header(from_host, to_host, stream_id=None):
    return ("<?xml version='1.0'?><stream:stream xmlns='jabber:server' "
            "xmlns:stream='http://etherx.jabber.org/streams' xmlns:db='jabber:server:dialback' "
            "from='%s' to='%s'%s version='1.0'>"
            % (from_host, to_host, " id='%s'" % stream_id if stream_id else ""))


# ---------------------------------------------------------------- clients


class Client:
    """A slixmpp client logged in over plain c2s on 127.0.0.1 (loopback
    only; Prosody's c2s_require_encryption is off in the tests)."""

    def __init__(self, jid, password, port):
        import slixmpp  # python3-slixmpp, for /usr/bin/python3

        self.port = port
        self.inbox = asyncio.Queue()
        self.ready = asyncio.Event()
        self.failed = None
        self.xmpp = slixmpp.ClientXMPP(jid, password)
        self.xmpp.add_event_handler("session_start", self._started)
        self.xmpp.add_event_handler("message", lambda msg: self.inbox.put_nowait(msg))
        self.xmpp.add_event_handler("message_error", lambda msg: self.inbox.put_nowait(msg))
        self.xmpp.add_event_handler("failed_auth", self._failed)

    async def _started(self, _event):
        self.xmpp.send_presence()
        self.ready.set()

    def _failed(self, _event):
        self.failed = "authentication failed"
        self.ready.set()

    async def connect(self, timeout=EVENT_TIMEOUT):
        self.xmpp.connect(address=("127.0.0.1", self.port), force_starttls=False, disable_starttls=True)
        await asyncio.wait_for(self.ready.wait(), timeout)
        if self.failed:
            raise AssertionError("%s: %s" % (self.xmpp.boundjid, self.failed))
        return self

    def send(self, to, body):
        self.xmpp.send_message(mto=to, mbody=body, mtype="chat")

    async def receive(self, timeout=EVENT_TIMEOUT):
        """The next message (or message error) that arrives."""
        return await asyncio.wait_for(self.inbox.get(), timeout)

    def disconnect(self):
        self.xmpp.disconnect(wait=0)


# ---------------------------------------------------------------- X.509


def run(argv, **kwargs):
    result = subprocess.run(argv, capture_output=True, text=True, timeout=120, **kwargs)
    if result.returncode != 0:
        raise AssertionError("%s failed (%d): %s %s" % (" ".join(argv), result.returncode,
                                                         result.stdout, result.stderr))
    return result.stdout


class X509Authority:
    """A test CA made with openssl, issuing server certificates whose
    subjectAltName is the XMPP domain (RFC 6125 DNS-ID, as Prosody checks)."""

    def __init__(self, directory, name="pgptls test CA"):
        self.dir = directory
        os.makedirs(directory, exist_ok=True)
        self.key = os.path.join(directory, "ca.key")
        self.cert = os.path.join(directory, "ca.pem")
        run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
             "-nodes", "-keyout", self.key, "-out", self.cert, "-days", "30", "-subj", "/CN=" + name,
             "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign"])

    def issue(self, domain, self_signed=False, name=None):
        """(cert.pem, key.pem) for domain, files named after `name` (default
        the domain); self_signed=True makes one the CA never saw."""
        key = os.path.join(self.dir, (name or domain) + ".key")
        cert = os.path.join(self.dir, (name or domain) + ".pem")
        extensions = ["-addext", "subjectAltName=DNS:" + domain,
                      "-addext", "extendedKeyUsage=serverAuth,clientAuth"]
        if self_signed:
            run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                 "-nodes", "-keyout", key, "-out", cert, "-days", "30", "-subj", "/CN=" + domain]
                + extensions)
        else:
            csr = os.path.join(self.dir, (name or domain) + ".csr")
            run(["openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                 "-nodes", "-keyout", key, "-out", csr, "-subj", "/CN=" + domain] + extensions)
            run(["openssl", "x509", "-req", "-in", csr, "-CA", self.cert, "-CAkey", self.key,
                 "-CAcreateserial", "-out", cert, "-days", "30", "-copy_extensions", "copy"])
        os.chmod(key, 0o644)  # Prosody reads it after dropping nothing (run_as_root), but keep it readable
        return cert, key
