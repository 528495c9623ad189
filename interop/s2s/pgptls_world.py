"""pgptls_world: OpenPGP keys made by gpg for the s2s end-to-end tests, and
`pgptls s2s` processes with generated TOML configs (the keys the README's
"XMPP server-to-server proxy" section documents).

Keys (made once per test run in a private GNUPGHOME, as an operator would):
  ca        the authority, Ed25519 [C] + [S] subkey (signs POSH statements)
  a, b      xmpp:a.example / xmpp:b.example, Ed25519 [SC] + [A] subkey,
            certified by ca
  impostor  xmpp:b.example, Ed25519 [SC] + [A], certified by nobody
"""

import os
import subprocess

import s2s_world as w


class Gpg:
    def __init__(self, home):
        self.home = home
        os.makedirs(home, mode=0o700, exist_ok=True)

    def run(self, args, binary=False):
        argv = ["gpg", "--homedir", self.home, "--batch", "--no-tty", "--pinentry-mode", "loopback",
                "--passphrase", ""] + args
        result = subprocess.run(argv, capture_output=True, timeout=120)
        if result.returncode != 0:
            raise AssertionError("%s failed: %s" % (" ".join(argv), result.stderr.decode(errors="replace")))
        return result.stdout if binary else result.stdout.decode()

    def fingerprints(self, query):
        out = self.run(["--with-colons", "--list-keys", query])
        return [line.split(":")[9] for line in out.splitlines() if line.startswith("fpr:")]

    def generate(self, user_id, usage):
        before = set()
        try:
            before = set(self.fingerprints("=" + user_id))
        except AssertionError:
            pass  # no key with this user ID yet
        self.run(["--yes", "--quick-gen-key", user_id, "ed25519", usage, "never"])
        new = [f for f in self.fingerprints("=" + user_id) if f not in before]
        if len(new) < 1:
            raise AssertionError("gpg made no key for " + user_id)
        return new[0]

    def stop(self):
        subprocess.run(["gpgconf", "--homedir", self.home, "--kill", "all"], capture_output=True, timeout=30)


class OpenPgpKeys:
    """The keys above, written as NAME.asc (armored certificate) and
    NAME.sec (secret keys) in `directory`; fpr[NAME] is the fingerprint."""

    def __init__(self, directory):
        self.dir = directory
        os.makedirs(directory, exist_ok=True)
        gpg = Gpg(os.path.join(directory, "gnupg"))
        try:
            self.fpr = {"ca": gpg.generate("pgptls test authority <ca@example.invalid>", "cert")}
            # A signing subkey: the authority signs POSH statements (signed pins).
            gpg.run(["--quick-add-key", self.fpr["ca"], "ed25519", "sign", "never"])
            self.ca_signing_subkey = gpg.fingerprints(self.fpr["ca"])[-1]
            for name, domain in (("a", "a.example"), ("b", "b.example"), ("impostor", "b.example")):
                self.fpr[name] = gpg.generate("xmpp:" + domain, "sign,cert")
                gpg.run(["--quick-add-key", self.fpr[name], "ed25519", "auth", "never"])
            for name, domain in (("a", "a.example"), ("b", "b.example")):
                gpg.run(["--default-key", self.fpr["ca"], "--quick-sign-key", self.fpr[name], "xmpp:" + domain])
            for name, fpr in self.fpr.items():
                with open(self.file(name + ".asc"), "w") as f:
                    f.write(gpg.run(["--armor", "--export", fpr]))
                with open(self.file(name + ".sec"), "wb") as f:
                    f.write(gpg.run(["--export-secret-keys", fpr], binary=True))
        finally:
            gpg.stop()

    def file(self, name):
        return os.path.join(self.dir, name)


def toml_string(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def toml_list(items):
    return "[" + ", ".join(toml_string(i) for i in items) + "]"


class Pgptls:
    """`pgptls s2s --config FILE` for one hosted domain, its state in its
    own PGPTLS_HOME. Inbound on `inbound_ip`:free port, backend = the
    Prosody's s2s port, outbound on 127.0.0.1:free port."""

    def __init__(self, workspace, program, name, domain, inbound_ip, authorities=(), keyring=(),
                 openpgp=None, x509=None, dns_server=None, static=(), tofu=False, mode="auto"):
        self.workspace = workspace
        self.program = program
        self.name = name
        self.domain = domain
        self.dir = workspace.path(name)
        self.home = os.path.join(self.dir, "home")
        os.makedirs(self.home, mode=0o700, exist_ok=True)
        self.inbound_ip = inbound_ip
        self.inbound_port = w.free_port(inbound_ip)
        self.outbound_port = w.free_port()
        self.config_path = os.path.join(self.dir, "s2s.toml")
        self.authorities = list(authorities)
        self.keyring_dir = os.path.join(self.dir, "keyring")
        os.makedirs(self.keyring_dir, exist_ok=True)
        for path in keyring:
            with open(path) as src, open(os.path.join(self.keyring_dir, os.path.basename(path)), "w") as dst:
                dst.write(src.read())
        self.openpgp = openpgp  # (cert.asc, key.sec)
        self.x509 = x509  # (cert.pem, key.pem)
        self.dns_server = dns_server
        self.static = list(static)
        self.tofu = tofu
        self.mode = mode
        self.handshake_timeout_ms = None  # set to cut silent peers quickly
        self.backend = None
        self.process = None

    @property
    def inbound(self):
        return "%s:%d" % (self.inbound_ip, self.inbound_port)

    @property
    def outbound(self):
        return "127.0.0.1:%d" % self.outbound_port

    def write_config(self):
        lines = [
            "home = %s" % toml_string(self.home),
            "authority = %s" % toml_list(["%s,scope=*.example" % a for a in self.authorities]),
            "keyring = %s" % toml_string(self.keyring_dir),
            "tofu = %s" % ("true" if self.tofu else "false"),
            "require-openpgp = false",
            "",
            "[inbound]",
            "listen = %s" % toml_list([self.inbound]),
            "backend = %s" % toml_string(self.backend),
            "",
            "[outbound]",
            "listen = %s" % toml_string(self.outbound),
            "mode = %s" % toml_string(self.mode),
            "",
            "[dns]",
        ]
        if self.dns_server:
            lines.append("server = %s" % toml_string(self.dns_server))
        lines += [
            "static = %s" % toml_list(self.static),
            "",
            "[limits]",
            "handshake-timeout = 10",
        ] + (["handshake-timeout-ms = %d" % self.handshake_timeout_ms] if self.handshake_timeout_ms else []) + [
            "idle-timeout = 600",
            "drain-timeout = 1",  # SIGTERM at the end of a test: short drain
            "",
            "[[domain]]",
            "name = %s" % toml_string(self.domain),
        ]
        if self.openpgp:
            lines += ["openpgp-cert = %s" % toml_string(self.openpgp[0]),
                      "openpgp-key = %s" % toml_string(self.openpgp[1])]
        if self.x509:
            lines += ["x509-cert = %s" % toml_string(self.x509[0]),
                      "x509-key = %s" % toml_string(self.x509[1])]
        with open(self.config_path, "w") as f:
            f.write("\n".join(lines) + "\n")

    def start(self, backend_port):
        self.backend = "127.0.0.1:%d" % backend_port
        self.write_config()
        self.process = self.workspace.start(
            "pgptls-" + self.name, [self.program, "s2s", "--config", self.config_path],
            env={"PGPTLS_HOME": self.home})
        self.process.wait_for_log("s2s ready", timeout=w.START_TIMEOUT)
        return self

    def log(self):
        return self.process.log() if self.process else ""

    def tool(self, args):
        """Runs `pgptls ARGS` on this proxy's state directory."""
        result = subprocess.run([self.program] + args, capture_output=True, text=True, timeout=120,
                                env=dict(os.environ, PGPTLS_HOME=self.home))
        if result.returncode != 0:
            raise AssertionError("pgptls %s failed (%d): %s %s" % (" ".join(args), result.returncode,
                                                                 result.stdout, result.stderr))
        return result.stdout + result.stderr
