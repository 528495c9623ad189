// link.h: what every s2s link (inbound or outbound) shares: the limits,
// the hosted domains with their credentials, the status-line sink, and the
// slot that counts a link against max-links.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tls/engine/engine.h"
#include "transport/engine_selection.h"

namespace pgptls::s2s {

struct Limits {
  std::size_t max_header_bytes = 8192;
  std::size_t max_stanza_bytes = 262144;
  // Plain negotiation + STARTTLS + TLS handshake + restarted header +
  // connecting onwards (RFC 6120 §5.4: all before any stanza flows).
  std::chrono::milliseconds handshake_timeout{10'000};
  std::chrono::milliseconds idle_timeout{600'000};
  std::size_t max_links = 1000;
};

// HostedDomain: a domain the local XMPP server serves, with the engine
// settings holding its credentials (the trust verifier is shared).
struct HostedDomain {
  std::string name;  // lower case
  std::shared_ptr<const transport::EngineSettings> settings;
  // The client engine factory of this domain's outbound links: made once
  // by the Proxy (from `settings` and the context's mode), so every link
  // shares one GnuTLS context instead of building one per connection.
  transport::EngineFactory outbound;
};

// LogLine: receives one status line (without newline).
using LogLine = std::function<void(const std::string&)>;

// Closable: a link the proxy can close at shutdown.
class Closable {
 public:
  virtual ~Closable() = default;
  virtual void close() = 0;
};

// LinkCounter: the live links; a LinkSlot holds one place until destroyed.
struct LinkCounter {
  std::size_t live = 0;
  std::vector<std::weak_ptr<Closable>> links;
  void remember(const std::shared_ptr<Closable>& link) {
    std::erase_if(links, [](const auto& weak) { return weak.expired(); });
    links.push_back(link);
  }
};

class LinkSlot {
 public:
  explicit LinkSlot(std::shared_ptr<LinkCounter> counter) : counter_(std::move(counter)) {
    ++counter_->live;
  }
  ~LinkSlot() { --counter_->live; }
  LinkSlot(const LinkSlot&) = delete;
  LinkSlot& operator=(const LinkSlot&) = delete;

 private:
  std::shared_ptr<LinkCounter> counter_;
};

// lower_domain: ASCII lower case (domains compare case-insensitively).
[[nodiscard]] std::string lower_domain(std::string_view domain);

// find_domain: the hosted domain called `name` (any case), or nullptr.
[[nodiscard]] const HostedDomain* find_domain(const std::vector<HostedDomain>& domains,
                                              std::string_view name);

// tls_version_name: "TLSv1.2" / "TLSv1.3" from the engine's "TLS1.2" (the
// spelling of PP2_SUBTYPE_SSL_VERSION and of the status lines).
[[nodiscard]] std::string tls_version_name(std::string_view protocol);

// accepted_text: "cert=openpgp TLSv1.2 accepted by <how>" for status lines
// and TLV 0xE1.
[[nodiscard]] std::string accepted_text(const tls::SessionInfo& session);

// authenticated_as: whether the TLS handshake authenticated the peer as
// `domain` (any case); false when the peer sent no certificate.
[[nodiscard]] bool authenticated_as(const tls::SessionInfo& session, std::string_view domain);

// endpoint_text: "127.0.0.1:40000" / "[::1]:40000".
[[nodiscard]] std::string endpoint_text(const boost::asio::ip::tcp::endpoint& endpoint);

// random_stream_id: a fresh stream id (RFC 6120 §4.7.3: unique and
// unpredictable), 16 hex digits.
[[nodiscard]] std::string random_stream_id();

}  // namespace pgptls::s2s
