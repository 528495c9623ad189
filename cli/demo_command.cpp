// demo_command.cpp: `pgptls demo`, the README's first command. In a
// temporary directory it makes keys as operators would (gpg for OpenPGP,
// openssl for X.509), registers the authority and imports certificates with
// pgptls's own commands, starts `pgptls serve` for a.example on 127.0.0.1
// and runs `pgptls connect` and `pgptls pin add` (this very program,
// /proc/self/exe) step by step, showing both sides' verdicts and reasons:
// b.example with OpenPGP accepted by the authority (mutual), an impostor's
// uncertified key rejected, an X.509-only peer rejected without a pin and
// accepted after `pin add`, an X.509 impostor rejected, c.example's revoked
// key rejected, then the server draining on SIGTERM. Exits 0 only if every
// verdict was the expected one; the directory goes in any case, also after
// SIGINT/SIGTERM/SIGHUP.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/demo_keys.h"
#include "cli/demo_process.h"

namespace pgptls::cli {
namespace {

using namespace std::chrono_literals;

// Expected: the verdict a step must end with, and words the server's
// handshake line must contain (what accepted the peer, the reason).
struct Expected {
  bool accepted = false;
  std::vector<std::string> server_says;
  std::vector<std::string> client_says;
};

// Option: a command-line option and its value, which may name a file of
// the demo's directory.
struct Option {
  std::string name;
  std::string value;
  bool is_file = true;
};

class Demo {
 public:
  explicit Demo(std::filesystem::path dir)
      : dir_(std::move(dir)), program_(std::filesystem::read_symlink("/proc/self/exe")) {}

  int run() {
    std::cout << "pgptls demo in " << dir_.string() << "\n\n";
    std::cout << "1. OpenPGP keys, made with gpg as the operators would (Ed25519): an authority;\n"
                 "   a.example, b.example and c.example, certified by it; an impostor also\n"
                 "   claiming xmpp:b.example, certified by nobody; then c.example's operator\n"
                 "   revokes c's key.\n";
    const auto keys = make_demo_keys(dir_, std::cout);
    if (!keys) {
      return 1;
    }
    authority_ = keys->authority_fingerprint;
    std::cout << "   authority " << authority_ << "\n";

    std::cout << "\n2. The operators register the authority and import certificates with pgptls.\n"
                 "   a.example's server (state directory home-a) also learns of c's revocation:\n";
    if (!register_authority(program_, home("a"), dir_, {"c-revoked.asc"}, std::cout)) {
      return 1;
    }
    std::cout << "   The connecting servers (b, c, d and the impostor share home-peers here):\n";
    if (!register_authority(program_, home("peers"), dir_, {}, std::cout)) {
      return 1;
    }

    std::cout << "\n3. X.509 keys, made with openssl (Ed25519 self-signed certificates):\n";
    for (const auto& [name, domain] : kX509Keys) {
      if (!make_x509_key(name, domain)) {
        return 1;
      }
    }
    std::cout << "   the connecting servers pin a.example's X.509 key:\n";
    if (!pin("a.example", "a", "peers")) {
      return 1;
    }

    std::cout << "\n4. pgptls serve for a.example on 127.0.0.1 (client certificates required),\n"
                 "   with its OpenPGP key and its X.509 key:\n"
                 "   $ PGPTLS_HOME=home-a pgptls serve --listen 127.0.0.1:PORT --echo "
                 "--openpgp-cert a.asc --openpgp-key a-secret.asc --x509-cert a-x509.pem "
                 "--x509-key a-x509.key\n";
    const std::uint16_t port = free_loopback_port();
    Background server(
        {program_.string(), "serve", "--listen", "127.0.0.1:" + std::to_string(port), "--echo",
         "--openpgp-cert", file("a.asc"), "--openpgp-key", file("a-secret.asc"), "--x509-cert",
         file("a-x509.pem"), "--x509-key", file("a-x509.key")},
        home_env("a"), dir_ / "serve.log");
    const auto listening = server.wait_for("listening on ", 10s);
    if (!listening) {
      std::cout << "   the server did not start: " << server.log() << "\n";
      return 1;
    }
    const std::string line = first_line_with(*listening, "listening on ");
    target_ = line.substr(std::string("listening on ").size());
    std::cout << "   " << line << "\n";

    bool all = true;
    const std::string by_authority = "authority " + authority_;
    all &= connect_step(server,
                        "5. b.example connects with OpenPGP (RFC 6091, TLS 1.2), both sides "
                        "certified by the authority",
                        "b", openpgp("b"),
                        {true,
                         {"cert=openpgp", "peer=b.example", by_authority},
                         {"cert=openpgp", "peer=a.example", by_authority}});
    all &= connect_step(server, "6. an impostor connects with another key claiming xmpp:b.example",
                        "impostor", openpgp("impostor"), {false, {"not certified"}, {}});
    all &= connect_step(server,
                        "7. d.example, an X.509-only peer, connects; a.example has no pin for it",
                        "d", x509("d"), {false, {"not authenticated"}, {}});
    std::cout << "\n   a.example's operator pins d.example:\n";
    if (!pin("d.example", "d", "a")) {
      return 1;
    }
    all &= connect_step(server, "8. d.example connects again", "d", x509("d"),
                        {true, {"cert=x509", "peer=d.example", "(manual)"}, {}});
    all &= connect_step(server, "9. an impostor claiming d.example with another X.509 key",
                        "impostor", x509("impostor"), {false, {"not authenticated"}, {}});
    all &= connect_step(server,
                        "10. c.example connects with OpenPGP; its operator revoked its key, but "
                        "it still sends its certificate from before (a.example's keyring holds "
                        "the revocation)",
                        "c", openpgp("c"), {false, {"revoked"}, {}});

    const int stopped = server.stop(10s);
    std::cout << "\n11. SIGTERM to the server: it drains and exits " << stopped << "\n";
    all &= stopped == 0;

    if (interrupted() != 0) {
      return 1;
    }
    std::cout << "\n"
              << (all ? "demo: every verdict was the expected one\n"
                      : "demo: a verdict was NOT the expected one\n");
    return all ? 0 : 1;
  }

 private:
  // The X.509 keys: the server's, the X.509-only peer's, and an impostor's.
  static constexpr std::pair<const char*, const char*> kX509Keys[] = {
      {"a", "a.example"}, {"d", "d.example"}, {"impostor", "d.example"}};

  std::string file(const std::string& name) const { return (dir_ / name).string(); }
  std::filesystem::path home(const std::string& who) const { return dir_ / ("home-" + who); }
  std::map<std::string, std::string> home_env(const std::string& who) const {
    return {{"PGPTLS_HOME", home(who).string()}};
  }

  bool make_x509_key(const std::string& name, const std::string& domain) {
    const std::string stem = name + "-x509";
    std::cout << "   $ openssl req -x509 -newkey ed25519 -nodes -subj /CN=" << domain
              << " -addext subjectAltName=DNS:" << domain << " -keyout " << stem << ".key -out "
              << stem << ".pem -days 30\n";
    const auto made =
        run_program({"openssl", "req", "-x509", "-newkey", "ed25519", "-nodes", "-keyout",
                     file(stem + ".key"), "-out", file(stem + ".pem"), "-days", "30", "-subj",
                     "/CN=" + domain, "-addext", "subjectAltName=DNS:" + domain},
                    {}, "", 30s);
    if (made.exit_code != 0) {
      std::cout << "   openssl failed (is it installed?): " << made.err << "\n";
      return false;
    }
    return true;
  }

  // pin: `pgptls pin add DOMAIN --cert <who>-x509.pem` in home-<home_of>.
  bool pin(const std::string& domain, const std::string& who, const std::string& home_of) {
    std::cout << "   $ PGPTLS_HOME=home-" << home_of << " pgptls pin add " << domain << " --cert "
              << who << "-x509.pem\n";
    const auto added =
        run_program({program_.string(), "pin", "add", domain, "--cert", file(who + "-x509.pem")},
                    home_env(home_of), "", 30s);
    if (added.exit_code != 0) {
      std::cout << "   pin add failed: " << added.err << "\n";
      return false;
    }
    std::cout << "     " << added.out;
    return true;
  }

  // openpgp / x509: the credential options of `who`.
  static std::vector<Option> openpgp(const std::string& who) {
    return {{"--mode", "openpgp", false},
            {"--openpgp-cert", who + ".asc"},
            {"--openpgp-key", who + "-secret.asc"}};
  }
  static std::vector<Option> x509(const std::string& who) {
    // An X.509-only peer (a GnuTLS 3.7 or OpenSSL server) offers TLS 1.3
    // and no OpenPGP certificate type.
    return {{"--mode", "x509", false},
            {"--x509-cert", who + "-x509.pem"},
            {"--x509-key", who + "-x509.key"}};
  }

  // connect_step: `pgptls connect` to the server as `who` (from home-peers)
  // with the credential options `credentials`, sending one line.
  bool connect_step(Background& server, const std::string& title, const std::string& who,
                    const std::vector<Option>& credentials, const Expected& expected) {
    std::cout << "\n"
              << title << "\n   $ PGPTLS_HOME=home-peers pgptls connect " << target_
              << " --peer a.example";
    std::vector<std::string> argv{program_.string(), "connect", target_, "--peer", "a.example"};
    for (const Option& option : credentials) {
      std::cout << " " << option.name << " " << option.value;
      argv.push_back(option.name);
      argv.push_back(option.is_file ? file(option.value) : option.value);
    }
    std::cout << "\n   expected: " << (expected.accepted ? "accepted" : "rejected");
    if (!expected.server_says.empty()) {
      std::cout << " (the server's line shows:";
      for (const std::string& words : expected.server_says) {
        std::cout << " " << words;
      }
      std::cout << ")";
    }
    std::cout << "\n";
    const std::size_t before = server.log().size();
    const std::string hello = "hello from " + who + "\n";
    const auto client = run_program(argv, home_env("peers"), hello, 30s);
    return report(server, before, client, hello, expected);
  }

  // report: both sides' verdict lines of the connection that just ran, and
  // whether they are what was expected.
  static bool report(Background& server, std::size_t before, const ProgramResult& client,
                     const std::string& hello, const Expected& expected) {
    const std::string server_line = server_verdict(server, before);
    const std::string client_line = first_line_with(client.err, "handshake ");
    std::cout << "   client: " << client_line << "\n";
    // In TLS 1.3 the client finishes before the server has judged the
    // client's certificate; the server's verdict then ends the connection.
    if (const auto later = first_line_with(client.err, "connection failed"); !later.empty()) {
      std::cout << "   client: " << later << "\n";
    }
    std::cout << "   server: " << server_line << "\n";
    const bool ok = client.exit_code == 0;
    if (ok) {
      std::cout << "   echoed: " << client.out;
    }
    bool as_expected =
        ok == expected.accepted &&
        server_line.starts_with(expected.accepted ? "handshake ok:" : "handshake failed:") &&
        (!expected.accepted || client.out == hello);
    for (const std::string& words : expected.server_says) {
      as_expected &= server_line.find(words) != std::string::npos;
    }
    for (const std::string& words : expected.client_says) {
      as_expected &= client_line.find(words) != std::string::npos;
    }
    std::cout << "   verdict: " << (ok ? "accepted" : "rejected")
              << (as_expected ? " (as expected)" : " (NOT as expected)") << "\n";
    return as_expected;
  }

  // server_verdict: the server's handshake line after byte `before` of its
  // log, waiting up to two seconds for it.
  static std::string server_verdict(Background& server, std::size_t before) {
    for (int i = 0; i < 100 && interrupted() == 0; ++i) {
      const std::string log = server.log();
      std::string line = first_line_with(log.substr(std::min(before, log.size())), "handshake ");
      if (!line.empty()) {
        return line;
      }
      usleep(20'000);
    }
    return "";
  }

  std::filesystem::path dir_;
  std::filesystem::path program_;
  std::string authority_;
  std::string target_;
};

int run_demo() {
  catch_interrupts();
  // Each line as soon as it is written, also into a pipe or a file.
  std::cout << std::unitbuf;
  std::string pattern = (std::filesystem::temp_directory_path() / "pgptls-demo-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    std::cerr << "pgptls demo: cannot create a temporary directory in "
              << std::filesystem::temp_directory_path().string() << " (set TMPDIR)\n";
    return 2;
  }
  const std::filesystem::path dir = pattern;
  int result = 1;
  {
    Demo demo(dir);
    result = demo.run();
  }
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
  if (const int signal_number = interrupted(); signal_number != 0) {
    std::cout << "\ndemo: interrupted by signal " << signal_number << "; " << dir.string()
              << " removed\n";
    // The usual exit status of a program ended by a signal (128 + N).
    return 128 + signal_number;
  }
  return result;
}

void add_demo_command(CLI::App& app, Action& action) {
  CLI::App* demo = app.add_subcommand(
      "demo",
      "Show OpenPGP-authenticated s2s TLS step by step on built-in defaults: gpg keys certified "
      "by an authority, an impostor, a revoked key, X.509 pins");
  demo->callback([&action] { action = [] { return run_demo(); }; });
}

const CommandRegistration demo_registration{"demo", add_demo_command};

}  // namespace
}  // namespace pgptls::cli
