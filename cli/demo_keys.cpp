#include "cli/demo_keys.h"

#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

#include "cli/demo_process.h"

namespace pgptls::cli {
namespace {

using namespace std::chrono_literals;

constexpr const char* kAuthorityUserId = "Demo XMPP Authority <authority@example.invalid>";

// quoted: a shell word as an operator would type it.
std::string quoted(const std::string& word) {
  return word.find_first_of(" <>'") == std::string::npos ? word : "'" + word + "'";
}

bool write_file(const std::filesystem::path& path, const std::string& content, std::ostream& out) {
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  file << content;
  file.close();
  if (!file) {
    out << "   cannot write " << path.string() << " (is the disk full?)\n";
    return false;
  }
  return true;
}

// Gpg: gpg in the throwaway home, printing each command in short: "gpg"
// stands for the batch options, <name> for a key's fingerprint.
class Gpg {
 public:
  Gpg(std::filesystem::path dir, std::ostream& out)
      : dir_(std::move(dir)), home_(dir_ / "gnupg"), out_(out) {}
  ~Gpg() {
    // gpg started an agent for this home: stop it before the folder goes.
    if (started_) {
      [[maybe_unused]] const auto stopped =
          run_program({"gpgconf", "--homedir", home_.string(), "--kill", "all"}, {}, "", 10s,
                      Interrupts::ignore);
    }
  }
  Gpg(const Gpg&) = delete;
  Gpg& operator=(const Gpg&) = delete;

  // prepare: the home directory; gpg refuses one others may read.
  bool prepare() {
    std::error_code error;
    std::filesystem::create_directories(home_, error);
    if (error || ::chmod(home_.c_str(), 0700) != 0) {
      out_ << "   cannot create " << home_.string() << ": " << error.message() << "\n";
      return false;
    }
    out_ << "   (gpg = gpg --homedir gnupg --batch --pinentry-mode loopback --passphrase ''; "
            "<x> = x's fingerprint)\n";
    return true;
  }

  // run: gpg with `args`; prints `shown` first. Its stdout, or nullopt
  // after printing what failed.
  std::optional<std::string> run(const std::vector<std::string>& args, const std::string& shown,
                                 const std::string& input = "") {
    out_ << "   $ gpg " << shown << "\n";
    std::vector<std::string> argv{"gpg",      "--homedir",    home_.string(),
                                  "--batch",  "--no-tty",     "--pinentry-mode",
                                  "loopback", "--passphrase", ""};
    argv.insert(argv.end(), args.begin(), args.end());
    started_ = true;
    const ProgramResult result = run_program(argv, {}, input, 60s);
    if (result.exit_code != 0) {
      out_ << "   gpg failed" << (result.exit_code == 127 ? " (is gnupg installed?)" : "") << ": "
           << result.err << "\n";
      return std::nullopt;
    }
    return result.out;
  }

  // created: the fingerprint of the key gpg reported making
  // (--status-fd 1: "[GNUPG:] KEY_CREATED <P|S|B> <fingerprint>").
  std::optional<std::string> created(std::vector<std::string> args, const std::string& shown) {
    args.insert(args.begin(), {"--status-fd", "1"});
    const auto output = run(args, shown);
    if (!output) {
      return std::nullopt;
    }
    std::istringstream lines(*output);
    std::string line;
    while (std::getline(lines, line)) {
      std::istringstream words(line);
      std::string prefix;
      std::string keyword;
      std::string type;
      std::string fingerprint;
      if (words >> prefix >> keyword >> type >> fingerprint && prefix == "[GNUPG:]" &&
          keyword == "KEY_CREATED") {
        return fingerprint;
      }
    }
    out_ << "   gpg did not report the key it made (no KEY_CREATED status line)\n";
    return std::nullopt;
  }

  // export_to: `gpg --armor <what> <fingerprint> > file`.
  bool export_to(const std::string& what, const DemoKey& key, const std::string& file) {
    const auto exported = run({"--armor", what, key.fingerprint},
                              "--armor " + what + " <" + key.name + "> > " + file);
    return exported && write_file(dir_ / file, *exported, out_);
  }

  [[nodiscard]] const std::filesystem::path& home() const { return home_; }

 private:
  std::filesystem::path dir_;
  std::filesystem::path home_;
  std::ostream& out_;
  bool started_ = false;
};

// make_key: a primary key that certifies and signs, and an Ed25519
// authentication subkey, the key a TLS handshake signs with (RFC 6091 §3.3
// names it by key ID).
// `same_user_id`: another key in this gpg home already has the user ID,
// and gpg makes a second one only when told --yes.
bool make_key(Gpg& gpg, DemoKey& key, bool same_user_id) {
  std::vector<std::string> args{"--quick-gen-key", key.user_id, "ed25519", "sign,cert", "never"};
  if (same_user_id) {
    args.insert(args.begin(), "--yes");
  }
  const auto primary =
      gpg.created(args, std::string(same_user_id ? "--yes " : "") + "--quick-gen-key " +
                            key.user_id + " ed25519 sign,cert never");
  if (!primary) {
    return false;
  }
  key.fingerprint = *primary;
  const auto subkey = gpg.created({"--quick-add-key", key.fingerprint, "ed25519", "auth", "never"},
                                  "--quick-add-key <" + key.name + "> ed25519 auth never");
  if (!subkey) {
    return false;
  }
  key.subkey = *subkey;
  return true;
}

// revoke: imports the revocation certificate gpg stored when it made the
// key (openpgp-revocs.d/<fingerprint>.rev). gpg puts a ':' before its armor
// line so that it is not imported by accident; the operator removes it.
bool revoke(Gpg& gpg, const std::filesystem::path& dir, const DemoKey& key, std::ostream& out) {
  const std::filesystem::path stored = gpg.home() / "openpgp-revocs.d" / (key.fingerprint + ".rev");
  std::ifstream file(stored, std::ios::binary);
  std::ostringstream text_stream;
  text_stream << file.rdbuf();
  std::string text = text_stream.str();
  const std::size_t colon = text.find(":-----BEGIN PGP PUBLIC KEY BLOCK-----");
  if (colon == std::string::npos) {
    out << "   gpg stored no revocation certificate for " << key.user_id << " in "
        << stored.string() << "\n";
    return false;
  }
  text.erase(colon, 1);
  const std::string rev = key.name + ".rev";
  out << "   " << key.name << ".rev = gnupg/openpgp-revocs.d/<" << key.name
      << ">.rev without the ':' guarding its armor line\n";
  return write_file(dir / rev, text, out) &&
         gpg.run({"--import", (dir / rev).string()}, "--import " + rev);
}

}  // namespace

const DemoKey& DemoKeys::key(std::string_view name) const {
  for (const DemoKey& each : keys) {
    if (each.name == name) {
      return each;
    }
  }
  return keys.front();
}

std::optional<DemoKeys> make_demo_keys(const std::filesystem::path& dir, std::ostream& out) {
  Gpg gpg(dir, out);
  if (!gpg.prepare()) {
    return std::nullopt;
  }
  DemoKeys made;
  const auto authority =
      gpg.created({"--quick-gen-key", kAuthorityUserId, "ed25519", "cert", "never"},
                  "--quick-gen-key " + quoted(kAuthorityUserId) + " ed25519 cert never");
  if (!authority) {
    return std::nullopt;
  }
  made.authority_fingerprint = *authority;
  made.keys = {{"a", "xmpp:a.example", "", "", true},
               {"b", "xmpp:b.example", "", "", true},
               {"impostor", "xmpp:b.example", "", "", false},
               {"c", "xmpp:c.example", "", "", true}};
  for (auto key = made.keys.begin(); key != made.keys.end(); ++key) {
    const bool same_user_id = std::any_of(made.keys.begin(), key, [&](const DemoKey& earlier) {
      return earlier.user_id == key->user_id;
    });
    if (!make_key(gpg, *key, same_user_id)) {
      return std::nullopt;
    }
  }
  // The authority certifies the user IDs directly (depth 1), as its
  // operator does after checking who runs each server.
  for (const DemoKey& key : made.keys) {
    if (key.certified &&
        !gpg.run({"--default-key", made.authority_fingerprint, "--quick-sign-key", key.fingerprint,
                  key.user_id},
                 "--default-key <authority> --quick-sign-key <" + key.name + "> " + key.user_id)) {
      return std::nullopt;
    }
  }
  const DemoKey authority_key{"authority", kAuthorityUserId, made.authority_fingerprint, "", false};
  if (!gpg.export_to("--export", authority_key, "authority.asc")) {
    return std::nullopt;
  }
  for (const DemoKey& key : made.keys) {
    if (!gpg.export_to("--export", key, key.name + ".asc") ||
        !gpg.export_to("--export-secret-keys", key, key.name + "-secret.asc")) {
      return std::nullopt;
    }
  }
  // c.example's operator retires its key; c.asc stays the copy from before.
  const DemoKey& c = made.key("c");
  if (!revoke(gpg, dir, c, out) || !gpg.export_to("--export", c, "c-revoked.asc")) {
    return std::nullopt;
  }
  return made;
}

bool register_authority(const std::filesystem::path& program, const std::filesystem::path& home,
                        const std::filesystem::path& dir, const std::vector<std::string>& imports,
                        std::ostream& out) {
  const std::map<std::string, std::string> env{{"PGPTLS_HOME", home.string()}};
  const std::string shown_home = "PGPTLS_HOME=" + home.filename().string() + " pgptls ";
  std::vector<std::pair<std::vector<std::string>, std::string>> commands;
  commands.push_back(
      {{"authority", "add", (dir / "authority.asc").string()}, "authority add authority.asc"});
  for (const std::string& file : imports) {
    commands.push_back({{"keyring", "import", (dir / file).string()}, "keyring import " + file});
  }
  for (const auto& [args, shown] : commands) {
    out << "   $ " << shown_home << shown << "\n";
    std::vector<std::string> argv{program.string()};
    argv.insert(argv.end(), args.begin(), args.end());
    const ProgramResult result = run_program(argv, env, "", 30s);
    if (result.exit_code != 0) {
      out << "   pgptls " << shown << " failed: " << result.err << result.out << "\n";
      return false;
    }
    std::istringstream lines(result.out);
    std::string line;
    while (std::getline(lines, line)) {
      out << "     " << line << "\n";
    }
  }
  return true;
}

}  // namespace pgptls::cli
