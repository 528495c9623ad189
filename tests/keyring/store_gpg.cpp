#include "tests/keyring/store_gpg.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "tests/support/process.h"

namespace pgptls::test {
namespace {

std::vector<std::string> colon_fields(const std::string& line) {
  std::vector<std::string> fields;
  std::string field;
  std::istringstream stream(line);
  while (std::getline(stream, field, ':')) {
    fields.push_back(field);
  }
  return fields;
}

}  // namespace

GpgHome::GpgHome() = default;

GpgHome::~GpgHome() {
  // gpg started an agent for this home; stop it before the folder goes.
  run_tool({"gpgconf", "--homedir", path().string(), "--kill", "all"});
}

std::string GpgHome::run(const std::vector<std::string>& args, const std::string& stdin_data) {
  std::vector<std::string> argv = {"gpg",      "--homedir",    path().string(),
                                   "--batch",  "--no-tty",     "--pinentry-mode",
                                   "loopback", "--passphrase", ""};
  if (faked_time_) {
    argv.push_back("--faked-system-time");
    argv.push_back(*faked_time_);
  }
  argv.insert(argv.end(), args.begin(), args.end());
  ToolOptions options;
  options.stdin_data = stdin_data;
  options.timeout = std::chrono::seconds(60);
  const ToolResult result = run_tool(argv, options);
  if (!result.ok()) {
    std::string command;
    for (const auto& arg : args) {
      command += " " + arg;
    }
    throw std::runtime_error("gpg" + command + " failed: " + result.describe());
  }
  return result.out;
}

std::string GpgHome::generate(const std::string& user_id, const std::string& algo,
                              const std::string& usage, const std::string& expire) {
  run({"--quick-gen-key", user_id, algo, usage, expire});
  const std::string out = run({"--with-colons", "--list-keys", "=" + user_id});
  // The newest certificate with this user ID is listed last.
  std::string fingerprint;
  std::istringstream lines(out);
  std::string line;
  bool after_pub = false;
  while (std::getline(lines, line)) {
    const auto fields = colon_fields(line);
    if (fields.empty()) {
      continue;
    }
    if (fields[0] == "pub") {
      after_pub = true;
    } else if (fields[0] == "fpr" && after_pub && fields.size() > 9) {
      fingerprint = fields[9];
      after_pub = false;
    } else {
      after_pub = false;
    }
  }
  if (fingerprint.empty()) {
    throw std::runtime_error("gpg made no certificate for " + user_id);
  }
  return fingerprint;
}

std::string GpgHome::add_subkey(const std::string& fingerprint, const std::string& algo,
                                const std::string& usage, const std::string& expire) {
  run({"--quick-add-key", fingerprint, algo, usage, expire});
  const auto all = fingerprints(fingerprint);
  return all.back();
}

void GpgHome::add_user_id(const std::string& fingerprint, const std::string& user_id) {
  run({"--quick-add-uid", fingerprint, user_id});
}

void GpgHome::certify(const std::string& signer, const std::string& target,
                      const std::string& user_id) {
  run({"--default-key", signer, "--quick-sign-key", target, user_id});
}

void GpgHome::revoke_key(const std::string& fingerprint) {
  // gpg writes the certificate with a ':' before the armor line so that it
  // is not imported by accident; remove it to use it (gpg manual, "Revoke").
  std::string text = read_text_file(path() / "openpgp-revocs.d" / (fingerprint + ".rev"));
  const std::size_t colon = text.find(":-----BEGIN");
  if (colon == std::string::npos) {
    throw std::runtime_error("no revocation certificate for " + fingerprint);
  }
  text.erase(colon, 1);
  run({"--import"}, text);
}

std::string GpgHome::export_cert(const std::string& fingerprint, bool armored) {
  if (armored) {
    return run({"--armor", "--export", fingerprint});
  }
  return run({"--export", fingerprint});
}

void GpgHome::import(const std::filesystem::path& file) {
  run({"--import", file.string()});
}

std::vector<std::string> GpgHome::fingerprints(const std::string& fingerprint) {
  std::vector<std::string> result;
  std::istringstream lines(run({"--with-colons", "--list-keys", fingerprint}));
  std::string line;
  while (std::getline(lines, line)) {
    const auto fields = colon_fields(line);
    if (!fields.empty() && fields[0] == "fpr" && fields.size() > 9) {
      result.push_back(fields[9]);
    }
  }
  return result;
}

std::vector<std::string> GpgHome::keygrips(const std::string& fingerprint) {
  std::vector<std::string> result;
  std::istringstream lines(run({"--with-colons", "--with-keygrip", "--list-keys", fingerprint}));
  std::string line;
  while (std::getline(lines, line)) {
    const auto fields = colon_fields(line);
    if (!fields.empty() && fields[0] == "grp" && fields.size() > 9) {
      result.push_back(fields[9]);
    }
  }
  return result;
}

std::vector<std::string> GpgHome::key_ids(const std::string& fingerprint) {
  std::vector<std::string> result;
  for (const std::string& full : fingerprints(fingerprint)) {
    // RFC 9580 §5.5.4: a v4 key ID is the low 64 bits of the fingerprint,
    // a v6 key ID the high 64 bits.
    result.push_back(full.size() == 64 ? full.substr(0, 16) : full.substr(full.size() - 16));
  }
  return result;
}

std::filesystem::path cached_fixture(
    const std::string& name, const std::function<void(const std::filesystem::path&)>& make) {
  const std::filesystem::path root = std::filesystem::path(PGPTLS_BINARY_DIR) / "test-fixtures";
  std::filesystem::create_directories(root);
  const std::filesystem::path final_dir = root / name;
  const std::filesystem::path lock_path = root / (name + ".lock");
  const int lock = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock < 0 || ::flock(lock, LOCK_EX) != 0) {
    throw std::runtime_error("cannot lock " + lock_path.string());
  }
  struct Unlock {
    int fd;
    ~Unlock() { ::close(fd); }  // closing releases the flock
  } unlock{lock};
  if (std::filesystem::exists(final_dir)) {
    return final_dir;
  }
  const std::filesystem::path building = root / (name + ".building");
  std::filesystem::remove_all(building);
  std::filesystem::create_directories(building);
  make(building);
  std::filesystem::rename(building, final_dir);
  return final_dir;
}

void write_file(const std::filesystem::path& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  if (!out) {
    throw std::runtime_error("cannot write " + path.string());
  }
}

std::string read_text_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

}  // namespace pgptls::test
