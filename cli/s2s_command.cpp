// s2s_command.cpp: `pgptls s2s --config FILE`, the XMPP server-to-server
// proxy in front of a local XMPP server (README "XMPP
// server-to-server proxy"). The TOML file names the trust (as `pgptls
// serve`: home, authority, keyring, pins, tofu, require-openpgp), the hosted
// domains with their credentials ([[domain]]), the listeners ([inbound],
// [outbound]), DNS ([dns]) and limits ([limits]); relative paths are
// relative to the file's folder. Prints one status line per link and
// "s2s ready inbound=... outbound=..." once listening; SIGTERM/SIGINT stop
// accepting, give links drain-timeout seconds, and exit 0.
#include <toml++/toml.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/errors.h"
#include "cli/commands.h"
#include "endpoint/endpoint.h"
#include "endpoint/openpgp_credential.h"
#include "endpoint/option_values.h"
#include "endpoint/trust.h"
#include "s2s/proxy.h"
#include "s2s/resolver.h"

namespace pgptls::cli {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
namespace fs = std::filesystem;
// Credentials and trust come from the endpoint library (endpoint/).
using endpoint::load_trust;
using endpoint::OpenPgpKeyOptions;
using endpoint::parse_host_port;
using endpoint::TrustOptions;

struct DomainConfig {
  std::string name;
  OpenPgpKeyOptions openpgp;
  std::string x509_cert;
  std::string x509_key;
};

// S2sConfig: the file's settings (README "Configuration reference").
struct S2sConfig {
  std::string home;
  TrustOptions trust;
  std::vector<std::string> inbound_listen;
  std::string backend;
  std::string outbound_listen;
  std::string mode = "auto";
  std::string dns_server;
  std::vector<std::string> dns_static;
  s2s::Limits limits;
  int drain_timeout_s = 5;
  std::vector<DomainConfig> domains;
};

Error config_error(const std::string& path, const std::string& text) {
  return make_error(base::Errc::invalid_value, path + ": " + text);
}

// Reader: typed access to one TOML table, refusing unknown keys so a typo
// is not silently ignored.
class TableReader {
 public:
  TableReader(const toml::table& table, std::string path, std::string where)
      : table_(table), path_(std::move(path)), where_(std::move(where)) {}

  Status string(const char* key, std::string& out) { return scalar(key, out, "must be a string"); }
  Status strings(const char* key, std::vector<std::string>& out) {
    const toml::node* node = find(key);
    if (node == nullptr) {
      return {};
    }
    if (const auto* single = node->as_string()) {
      out = {single->get()};
      return {};
    }
    const auto* list = node->as_array();
    if (list == nullptr) {
      return fail(key, "must be a list of strings");
    }
    out.clear();
    for (const toml::node& element : *list) {
      const auto* text = element.as_string();
      if (text == nullptr) {
        return fail(key, "must be a list of strings");
      }
      out.push_back(text->get());
    }
    return {};
  }
  Status boolean(const char* key, bool& out) { return scalar(key, out, "must be true or false"); }
  template <class Integer>
  Status integer(const char* key, Integer& out, std::int64_t min, std::int64_t max) {
    const toml::node* node = find(key);
    if (node == nullptr) {
      return {};
    }
    const auto* value = node->as_integer();
    if (value == nullptr || value->get() < min || value->get() > max) {
      return fail(
          key, "must be a whole number from " + std::to_string(min) + " to " + std::to_string(max));
    }
    out = static_cast<Integer>(value->get());
    return {};
  }
  // table: reads the table `key` ([key]), when present, with a reader of
  // its own: read(reader), then that reader's done(). A `key` that is not a
  // table fails.
  template <class Read>
  Status table(const char* key, Read read) {
    const toml::node* node = find(key);
    if (node == nullptr) {
      return {};
    }
    const toml::table* table = node->as_table();
    if (table == nullptr) {
      return fail(key, std::string("must be a table, written [") + key + "]");
    }
    return read_table(*table, "[" + std::string(key) + "]", read);
  }
  // tables: the same for each table of the array `key` ([[key]]).
  template <class Read>
  Status tables(const char* key, Read read) {
    const toml::node* node = find(key);
    if (node == nullptr) {
      return {};
    }
    const auto* list = node->as_array();
    if (list == nullptr || !list->is_array_of_tables()) {
      return fail(key, std::string("must be tables, each written [[") + key + "]]");
    }
    for (const toml::node& element : *list) {
      PGPTLS_CHECK(read_table(*element.as_table(), "[[" + std::string(key) + "]]", read));
    }
    return {};
  }
  // done: fails on a key none of the calls above asked for.
  Status done() {
    for (const auto& [key, node] : table_) {
      const std::string name(key.str());
      if (std::find(seen_.begin(), seen_.end(), name) == seen_.end()) {
        return config_error(
            path_, "unknown setting '" + name + "'" + (where_.empty() ? "" : " in " + where_));
      }
    }
    return {};
  }

 private:
  // scalar: the key's value when it has TOML type T; any other type fails
  // with "<key> <expected>".
  template <class T>
  Status scalar(const char* key, T& out, const char* expected) {
    const toml::node* node = find(key);
    if (node == nullptr) {
      return {};
    }
    const auto* value = node->as<T>();
    if (value == nullptr) {
      return fail(key, expected);
    }
    out = value->get();
    return {};
  }
  // read_table: read(reader) with a reader of `table`, then its done().
  template <class Read>
  Status read_table(const toml::table& table, std::string where, Read& read) const {
    TableReader reader(table, path_, std::move(where));
    PGPTLS_CHECK(read(reader));
    return reader.done();
  }
  // find: the key's node, or null when it is absent; either way the key
  // counts as known to done().
  const toml::node* find(const char* key) {
    seen_.emplace_back(key);
    return table_.get(key);
  }
  Error fail(const char* key, const std::string& what) const {
    return config_error(path_, (where_.empty() ? "" : where_ + ".") + key + " " + what);
  }
  const toml::table& table_;
  std::string path_;
  std::string where_;
  std::vector<std::string> seen_;
};

// relative_to: a path from the file, relative to the file's folder.
std::string relative_to(const fs::path& base, const std::string& path) {
  if (path.empty() || fs::path(path).is_absolute()) {
    return path;
  }
  return (base / path).string();
}

Result<S2sConfig> read_config(const std::string& path) {
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& error) {
    return config_error(path, "line " + std::to_string(error.source().begin.line) + ": " +
                                  std::string(error.description()));
  }
  const fs::path base = fs::absolute(fs::path(path)).parent_path();
  S2sConfig config;
  TableReader top(root, path, "");
  PGPTLS_CHECK(top.string("home", config.home));
  PGPTLS_CHECK(top.strings("authority", config.trust.authorities));
  PGPTLS_CHECK(top.string("keyring", config.trust.keyring));
  PGPTLS_CHECK(top.string("pins", config.trust.pins));
  PGPTLS_CHECK(top.boolean("tofu", config.trust.tofu));
  PGPTLS_CHECK(top.boolean("require-openpgp", config.trust.require_openpgp));
  PGPTLS_CHECK(top.table("inbound", [&](TableReader& reader) -> Status {
    PGPTLS_CHECK(reader.strings("listen", config.inbound_listen));
    return reader.string("backend", config.backend);
  }));
  PGPTLS_CHECK(top.table("outbound", [&](TableReader& reader) -> Status {
    PGPTLS_CHECK(reader.string("listen", config.outbound_listen));
    return reader.string("mode", config.mode);
  }));
  PGPTLS_CHECK(top.table("dns", [&](TableReader& reader) -> Status {
    PGPTLS_CHECK(reader.string("server", config.dns_server));
    return reader.strings("static", config.dns_static);
  }));
  PGPTLS_CHECK(top.table("limits", [&](TableReader& reader) -> Status {
    int handshake_s = static_cast<int>(config.limits.handshake_timeout.count() / 1000);
    int idle_s = static_cast<int>(config.limits.idle_timeout.count() / 1000);
    int handshake_ms = -1;
    PGPTLS_CHECK(reader.integer("max-header-bytes", config.limits.max_header_bytes, 512, 1 << 20));
    PGPTLS_CHECK(
        reader.integer("max-stanza-bytes", config.limits.max_stanza_bytes, 1024, 64 << 20));
    PGPTLS_CHECK(reader.integer("handshake-timeout", handshake_s, 1, 3600));
    // Milliseconds, for tests that cut a silent peer quickly.
    PGPTLS_CHECK(reader.integer("handshake-timeout-ms", handshake_ms, 1, 3'600'000));
    PGPTLS_CHECK(reader.integer("idle-timeout", idle_s, 0, 7 * 86400));
    PGPTLS_CHECK(reader.integer("max-links", config.limits.max_links, 1, 1'000'000));
    PGPTLS_CHECK(reader.integer("drain-timeout", config.drain_timeout_s, 0, 3600));
    config.limits.handshake_timeout = handshake_ms > 0
                                          ? std::chrono::milliseconds(handshake_ms)
                                          : std::chrono::milliseconds(handshake_s * 1000);
    config.limits.idle_timeout = std::chrono::milliseconds(std::int64_t{idle_s} * 1000);
    return {};
  }));
  PGPTLS_CHECK(top.tables("domain", [&](TableReader& reader) -> Status {
    DomainConfig& domain = config.domains.emplace_back();
    PGPTLS_CHECK(reader.string("name", domain.name));
    PGPTLS_CHECK(reader.string("openpgp-cert", domain.openpgp.cert_file));
    PGPTLS_CHECK(reader.string("openpgp-key", domain.openpgp.key_file));
    PGPTLS_CHECK(reader.string("openpgp-subkey", domain.openpgp.subkey));
    PGPTLS_CHECK(reader.string("passphrase-file", domain.openpgp.passphrase_file));
    PGPTLS_CHECK(reader.string("x509-cert", domain.x509_cert));
    return reader.string("x509-key", domain.x509_key);
  }));
  PGPTLS_CHECK(top.done());

  config.home = relative_to(base, config.home);
  config.trust.keyring = relative_to(base, config.trust.keyring);
  config.trust.pins = relative_to(base, config.trust.pins);
  for (std::string& authority : config.trust.authorities) {
    const auto comma = authority.find(',');
    authority = relative_to(base, authority.substr(0, comma)) +
                (comma == std::string::npos ? "" : authority.substr(comma));
  }
  for (DomainConfig& domain : config.domains) {
    if (domain.name.empty()) {
      return config_error(path, "a [[domain]] needs a name");
    }
    domain.openpgp.cert_file = relative_to(base, domain.openpgp.cert_file);
    domain.openpgp.key_file = relative_to(base, domain.openpgp.key_file);
    domain.openpgp.passphrase_file = relative_to(base, domain.openpgp.passphrase_file);
    domain.x509_cert = relative_to(base, domain.x509_cert);
    domain.x509_key = relative_to(base, domain.x509_key);
  }
  if (config.domains.empty()) {
    return config_error(path,
                        "no [[domain]]: name at least one hosted domain and its "
                        "credentials");
  }
  if (config.inbound_listen.empty() && config.outbound_listen.empty()) {
    return config_error(path, "nothing to do: give [inbound] listen and/or [outbound] listen");
  }
  if (!config.inbound_listen.empty() && config.backend.empty()) {
    return config_error(path,
                        "[inbound] needs backend = \"HOST:PORT\" (the XMPP server's "
                        "plain s2s port)");
  }
  return config;
}

Result<tcp::endpoint> parse_endpoint(const std::string& text, const std::string& what) {
  // Port 0 (listen addresses): the system picks one; "s2s ready" names it.
  const bool any_port = text.ends_with(":0");
  auto parsed = parse_host_port(any_port ? text.substr(0, text.size() - 1) + "1" : text);
  if (!parsed.ok()) {
    return std::move(parsed).error().wrap(what);
  }
  boost::system::error_code error;
  const auto address = asio::ip::make_address(parsed->host, error);
  if (error) {
    return make_error(base::Errc::invalid_value,
                      what + ": '" + parsed->host + "' is not an IP address");
  }
  return tcp::endpoint(address, any_port ? 0 : parsed->port);
}

// hosted_domain: the engine settings of one [[domain]]: its credentials
// and the shared trust decision.
Result<s2s::HostedDomain> hosted_domain(const DomainConfig& domain,
                                        const std::shared_ptr<tls::PeerVerifier>& verifier,
                                        const s2s::Limits& limits) {
  auto settings = std::make_shared<transport::EngineSettings>();
  settings->client_auth = tls::ClientAuth::require;
  settings->verifier = verifier;
  settings->handshake_timeout = limits.handshake_timeout;
  const std::string where = "[[domain]] " + domain.name;
  // The same credential rules as serve and connect (endpoint/).
  auto credentials = endpoint::load_credentials(
      endpoint::CredentialOptions{domain.x509_cert, domain.x509_key, domain.openpgp},
      tls::Role::server);
  if (!credentials.ok()) {
    return std::move(credentials).error().wrap(where);
  }
  settings->credentials = std::move(credentials).value();
  s2s::HostedDomain hosted;
  hosted.name = s2s::lower_domain(domain.name);
  hosted.settings = std::move(settings);  // its outbound factory: the Proxy's
  return hosted;
}

// Drain: after a stop signal, waits for the links to end and closes
// those still open at the deadline.
struct Drain {
  Drain(asio::io_context& io, s2s::Proxy& proxy_in) : timer(io), proxy(proxy_in) {}
  asio::steady_timer timer;
  s2s::Proxy& proxy;
  std::chrono::steady_clock::time_point deadline;

  void poll() {
    if (proxy.live_links() == 0) {
      return;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      proxy.close_all();
      return;
    }
    timer.expires_after(std::chrono::milliseconds(50));
    timer.async_wait([this](boost::system::error_code error) {
      if (!error) {
        poll();
      }
    });
  }
};

int run_s2s(const std::string& config_path) {
  auto loaded = read_config(config_path);
  if (!loaded.ok()) {
    std::cerr << "pgptls s2s: " << loaded.error().message() << "\n";
    return 2;
  }
  const S2sConfig& config = *loaded;
  if (!config.home.empty()) {
    ::setenv("PGPTLS_HOME", config.home.c_str(), 1);
  }
  std::vector<std::string> warnings;
  auto trust = load_trust(config.trust, warnings);
  if (!trust.ok()) {
    std::cerr << "pgptls s2s: " << trust.error().message() << "\n";
    return 2;
  }
  for (const std::string& warning : warnings) {
    std::cerr << "pgptls s2s: warning: " << warning << "\n";
  }

  asio::io_context io;
  auto context = std::make_shared<s2s::Context>();
  context->limits = config.limits;
  context->log = [](const std::string& line) { std::cerr << line << std::endl; };
  auto mode = transport::parse_client_mode(config.mode);
  if (!mode.ok()) {
    std::cerr << "pgptls s2s: [outbound] mode: " << mode.error().message() << "\n";
    return 2;
  }
  context->mode = *mode;
  context->knows_openpgp = transport::make_knows_openpgp((*trust)->openpgp, (*trust)->pins);
  for (const DomainConfig& domain : config.domains) {
    auto hosted = hosted_domain(domain, (*trust)->verifier, config.limits);
    if (!hosted.ok()) {
      std::cerr << "pgptls s2s: " << hosted.error().message() << "\n";
      return 2;
    }
    context->domains.push_back(std::move(hosted).value());
  }

  s2s::ResolverConfig dns;
  dns.server = config.dns_server;
  for (const std::string& text : config.dns_static) {
    auto route = s2s::parse_static_target(text);
    if (!route.ok()) {
      std::cerr << "pgptls s2s: [dns] static: " << route.error().message() << "\n";
      return 2;
    }
    dns.static_targets[route->first] = route->second;
  }
  auto resolver = s2s::Resolver::create(io.get_executor(), std::move(dns));
  if (!resolver.ok()) {
    std::cerr << "pgptls s2s: " << resolver.error().message() << "\n";
    return 2;
  }
  context->resolver = *resolver;

  std::vector<tcp::endpoint> inbound;
  for (const std::string& text : config.inbound_listen) {
    auto endpoint = parse_endpoint(text, "[inbound] listen");
    if (!endpoint.ok()) {
      std::cerr << "pgptls s2s: " << endpoint.error().message() << "\n";
      return 2;
    }
    inbound.push_back(*endpoint);
  }
  if (!config.backend.empty()) {
    auto backend = parse_endpoint(config.backend, "[inbound] backend");
    if (!backend.ok()) {
      std::cerr << "pgptls s2s: " << backend.error().message() << "\n";
      return 2;
    }
    context->backend = *backend;
  }
  std::optional<tcp::endpoint> outbound;
  if (!config.outbound_listen.empty()) {
    auto endpoint = parse_endpoint(config.outbound_listen, "[outbound] listen");
    if (!endpoint.ok()) {
      std::cerr << "pgptls s2s: " << endpoint.error().message() << "\n";
      return 2;
    }
    outbound = *endpoint;
  }

  s2s::Proxy proxy(io.get_executor(), context, inbound, outbound);
  if (auto started = proxy.start(); !started.ok()) {
    std::cerr << "pgptls s2s: " << started.error().message() << "\n";
    return 2;
  }
  // One write: a reader waiting for this line never sees half of it.
  std::cerr << ("s2s ready " + proxy.ready_text() + "\n") << std::flush;

  Drain drain(io, proxy);
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code error, int) {
    if (error) {
      return;
    }
    proxy.stop();
    std::cerr << "s2s stopping: draining " << proxy.live_links() << " link(s)" << std::endl;
    drain.deadline =
        std::chrono::steady_clock::now() + std::chrono::seconds(config.drain_timeout_s);
    drain.poll();
  });
  io.run();
  return 0;
}

void add_s2s_command(CLI::App& app, Action& action) {
  auto config = std::make_shared<std::string>();
  CLI::App* command = app.add_subcommand(
      "s2s", "XMPP server-to-server proxy in front of a local XMPP server (see README)");
  command->add_option("--config", *config, "The proxy's TOML configuration file")->required();
  command->callback([config, &action] { action = [config] { return run_s2s(*config); }; });
}

const CommandRegistration s2s_registration{"s2s", add_s2s_command};

}  // namespace
}  // namespace pgptls::cli
