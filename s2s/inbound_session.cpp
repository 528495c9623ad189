#include "s2s/inbound_session.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <utility>

#include "s2s/relay.h"
#include "xmpp/proxy_v2.h"
#include "xmpp/stream_writer.h"

namespace pgptls::s2s {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

// TLS record content type "handshake" (RFC 8446 §5.1): XEP-0368 Direct TLS
// starts with it; a plain XMPP stream starts with '<' or whitespace.
constexpr std::uint8_t kTlsHandshakeRecord = 0x16;

std::vector<std::uint8_t> address_bytes(const asio::ip::address& address) {
  if (address.is_v4()) {
    const auto bytes = address.to_v4().to_bytes();
    return {bytes.begin(), bytes.end()};
  }
  const auto bytes = address.to_v6().to_bytes();
  return {bytes.begin(), bytes.end()};
}

// proxy_address: PROXY v2 needs one family for both ends; an IPv4 end
// next to an IPv6 one is written as IPv4-mapped IPv6.
xmpp::ProxyAddress proxy_address(const tcp::endpoint& endpoint, bool as_v6) {
  auto address = endpoint.address();
  if (as_v6 && address.is_v4()) {
    address = asio::ip::make_address_v6(asio::ip::v4_mapped, address.to_v4());
  }
  return {address_bytes(address), endpoint.port()};
}

std::string domains_text(const tls::SessionInfo& session) {
  if (!session.peer || session.peer->domains.empty()) {
    return "no domain";
  }
  std::string text;
  for (const std::string& domain : session.peer->domains) {
    text += (text.empty() ? "" : ", ") + domain;
  }
  return text;
}

}  // namespace

InboundSession::InboundSession(tcp::socket socket, std::shared_ptr<const Context> context,
                               std::shared_ptr<LinkSlot> slot)
    : Session(std::move(socket), std::move(context), std::move(slot)) {
  boost::system::error_code ignored;
  peer_ = socket_.remote_endpoint(ignored);
  local_ = socket_.local_endpoint(ignored);
}

void InboundSession::close_others() {
  boost::system::error_code ignored;
  if (tls_) {
    tls_->next_layer().close(ignored);
  }
  if (backend_) {
    backend_->close(ignored);
  }
}

void InboundSession::log_refused(const std::string& reason) {
  if (context_->log) {
    context_->log("s2s in " + endpoint_text(peer_) + ": refused: " + reason);
  }
}

std::string InboundSession::io_reason(const Error& error) const {
  if (deadline_.expired()) {
    return "connection-timeout: no complete negotiation within " +
           std::to_string(context_->limits.handshake_timeout.count()) +
           " ms (handshake-timeout; the peer is silent or too slow)";
  }
  if (tls_ && tls_->last_error()) {
    return tls_->last_error()->message();
  }
  return error.message();
}

void InboundSession::refuse(std::string reply, const std::string& reason) {
  log_refused(reason);
  if (tls_) {
    asio::co_spawn(tls_->get_executor(), send_over_tls_and_close(std::move(reply)), asio::detached);
  } else {
    reply_and_close(std::move(reply));
  }
}

void InboundSession::refuse_read(const Error& error, const std::string& opening) {
  if (is_stream_error(error)) {
    refuse(opening + xmpp::stream_error(condition_of(error), error.message()),
           condition_of(error) + ": " + error.message());
  } else {
    refuse({}, io_reason(error));
  }
}

asio::awaitable<void> InboundSession::send_over_tls_and_close(std::string reply) {
  auto self = shared_from_this();
  if (!reply.empty() && !closed_ && co_await write_all(*tls_, reply)) {
    co_await tls_->async_shutdown(kTuple);
  }
  close();
}

asio::awaitable<std::optional<InboundSession::Negotiated>> InboundSession::negotiate_starttls(
    std::string_view first) {
  xmpp::StreamReader reader({context_->limits.max_header_bytes, context_->limits.max_stanza_bytes});
  // The first element after the header must be <starttls/>; whatever
  // follows it belongs to TLS.
  reader.stop_after_element();
  (void)reader.feed(first);  // a failure stays in the reader
  std::optional<Result<xmpp::Event>> header_event;
  if (reader.error()) {
    header_event.emplace(*reader.error());
  } else {
    auto event = co_await next_event(socket_, reader, buffer_, nullptr);
    header_event.emplace(std::move(event));
  }
  if (!header_event->ok()) {
    // RFC 6120 §4.9.1.2: the header first, even to report an error in it.
    refuse_read(header_event->error(), xmpp::stream_header({}));
    co_return std::nullopt;
  }
  const xmpp::StreamHeader header = *reader.header();
  const HostedDomain* domain = find_domain(context_->domains, header.to);
  if (domain == nullptr) {
    // RFC 6120 §4.9.3.6 host-unknown.
    const std::string text = "this server does not host '" + header.to + "'";
    refuse(xmpp::stream_header({.from = "", .to = header.from, .id = ""}) +
               xmpp::stream_error("host-unknown", text),
           "host-unknown: the stream is for '" + header.to +
               "', which is not a hosted domain (add a [[domain]] for it, or the "
               "peer has stale DNS)");
    co_return std::nullopt;
  }
  const std::string ours =
      xmpp::stream_header({.from = domain->name, .to = header.from, .id = random_stream_id()}) +
      xmpp::starttls_features();
  if (!co_await write_all(socket_, ours)) {
    refuse({}, "the peer closed the connection after its stream header");
    co_return std::nullopt;
  }
  auto request = co_await next_event(socket_, reader, buffer_, nullptr);
  if (!request.ok()) {
    refuse_read(request.error(), {});
    co_return std::nullopt;
  }
  if (request->ns != xmpp::kTlsNamespace || request->name != "starttls") {
    // RFC 6120 §5.3.1: TLS is mandatory-to-negotiate here; a peer that
    // goes on without it violates our policy.
    refuse(xmpp::stream_error("policy-violation", "TLS is required: send <starttls/> first"),
           "policy-violation: the peer sent <" + request->name +
               "/> instead of <starttls/> (pgptls accepts s2s only over TLS)");
    co_return std::nullopt;
  }
  const std::string proceed = xmpp::proceed();
  if (!co_await write_all(socket_, proceed)) {
    refuse({}, "the peer closed the connection after <starttls/>");
    co_return std::nullopt;
  }
  co_return Negotiated{domain, reader.unparsed_tail(), lower_domain(header.from)};
}

asio::awaitable<void> InboundSession::run() {
  auto self = shared_from_this();
  const Limits& limits = context_->limits;
  close_at_deadline();

  auto [first_error, first_count] = co_await socket_.async_read_some(asio::buffer(buffer_), kTuple);
  if (first_error || first_count == 0) {
    log_refused(deadline_.expired() ? io_reason(Error{})
                                    : "the peer closed the connection before sending anything");
    close();
    co_return;
  }
  const std::string_view first(buffer_.data(), first_count);
  Negotiated negotiated;
  std::string how;
  if (static_cast<std::uint8_t>(first[0]) == kTlsHandshakeRecord) {
    // XEP-0368: Direct TLS. The ClientHello's SNI is not consulted: the
    // first hosted domain's credentials answer (see README).
    negotiated.domain = &context_->domains.front();
    negotiated.tls_bytes.assign(first);
    how = "direct-tls";
  } else {
    auto result = co_await negotiate_starttls(first);
    if (!result) {
      co_return;
    }
    negotiated = std::move(*result);
    how = "starttls";
  }

  tls_ = std::make_unique<transport::TcpStream>(
      transport::make_server_engine_factory(negotiated.domain->settings), std::move(socket_));
  tls_->add_received(as_bytes_view(negotiated.tls_bytes));
  // The plain header's `from` is the domain the peer claims (RFC 6120
  // §4.7.1): the verifier checks the certificate for it, which also lets
  // a pin or TOFU apply. The restarted header must then name it again.
  transport::HandshakeOptions options;
  if (!negotiated.claimed_from.empty()) {
    options.peer_domain = negotiated.claimed_from;
  }
  auto [handshake_error] =
      co_await tls_->async_handshake(tls::Role::server, std::move(options), kTuple);
  if (handshake_error) {
    log_refused("TLS handshake (" + how + ") failed: " + io_reason(Error{}));
    close();
    co_return;
  }

  // RFC 6120 §5.4.3.3: the initiating entity restarts the stream over TLS.
  auto reader = std::make_unique<xmpp::StreamReader>(
      xmpp::ReaderLimits{limits.max_header_bytes, limits.max_stanza_bytes});
  std::string seen;
  auto restarted = co_await next_event(*tls_, *reader, buffer_, &seen);
  if (!restarted.ok()) {
    refuse_read(restarted.error(), xmpp::stream_header({}));
    co_return;
  }
  const xmpp::StreamHeader header = *reader->header();
  const tls::SessionInfo& session = tls_->session();
  const HostedDomain* domain = find_domain(context_->domains, header.to);
  if (domain == nullptr) {
    refuse(xmpp::stream_header({.from = "", .to = header.from, .id = ""}) +
               xmpp::stream_error("host-unknown", "this server does not host '" + header.to + "'"),
           "host-unknown: the restarted stream is for '" + header.to +
               "', which is not a hosted domain");
    co_return;
  }
  const xmpp::HeaderFields reply_fields{
      .from = domain->name, .to = header.from, .id = random_stream_id()};
  if (!session.peer) {
    // RFC 6120 §4.9.3.12 not-authorized: no certificate, no identity.
    refuse(xmpp::stream_header(reply_fields) +
               xmpp::stream_error("not-authorized", "a client certificate is required"),
           "not-authorized: the peer sent no certificate (pgptls authenticates s2s peers by TLS)");
    co_return;
  }
  const std::string from = lower_domain(header.from);
  if (from.empty() || !authenticated_as(session, from)) {
    // RFC 6120 §4.9.3.9 invalid-from: the claimed domain is not the one
    // the TLS handshake authenticated.
    const std::string claimed = from.empty() ? "no from" : "from='" + header.from + "'";
    refuse(xmpp::stream_header(reply_fields) +
               xmpp::stream_error("invalid-from", "TLS authenticated " + domains_text(session) +
                                                      ", but the stream says " + claimed),
           "invalid-from: TLS authenticated " + domains_text(session) + " (" +
               accepted_text(session) + "), but the restarted stream header says " + claimed +
               "; the peer must use the domain its certificate is for");
    co_return;
  }

  backend_.emplace(tls_->get_executor());
  auto [connect_error] = co_await backend_->async_connect(context_->backend, kTuple);
  if (connect_error) {
    refuse(xmpp::stream_header(reply_fields) +
               xmpp::stream_error("internal-server-error", "the XMPP server is unavailable"),
           "cannot connect to the XMPP server at " + endpoint_text(context_->backend) + " (" +
               connect_error.message() + "); check [inbound] backend and that it listens there");
    co_return;
  }
  boost::system::error_code ignored;
  backend_->set_option(tcp::no_delay(true), ignored);

  // PROXY v2 (for contrib/prosody/mod_pgptls.lua) with the authenticated domain, then the
  // restarted header and whatever came after it, unchanged.
  const bool v6 = peer_.address().is_v6() || local_.address().is_v6();
  xmpp::ProxyHeader proxy;
  proxy.source = proxy_address(peer_, v6);
  proxy.destination = proxy_address(local_, v6);
  proxy.tlvs.push_back({xmpp::kTlvAuthenticatedDomain, from});
  proxy.tlvs.push_back({xmpp::kTlvAcceptedBy, accepted_text(session)});
  proxy.tlvs.push_back({xmpp::kTlvSsl, xmpp::ssl_tlv_value(tls_version_name(session.protocol))});
  auto proxy_bytes = xmpp::encode_proxy_v2(proxy);
  if (!proxy_bytes.ok()) {
    refuse({}, "PROXY header: " + proxy_bytes.error().message());
    co_return;
  }
  const std::string stream_bytes = seen.substr(header.end_offset - header.raw.size());
  const std::string to_backend = *proxy_bytes + stream_bytes;
  if (!co_await write_all(*backend_, to_backend)) {
    refuse({}, "the XMPP server closed the connection at once");
    co_return;
  }
  deadline_.cancel();
  if (closed_) {
    co_return;
  }
  const std::string name = "s2s in " + from + " -> " + domain->name;
  if (context_->log) {
    context_->log(name + ": " + accepted_text(session));
  }
  auto relay =
      std::make_shared<Relay>(std::move(tls_), std::move(*backend_), std::move(reader),
                              // The XMPP server answers with its own header.
                              std::make_unique<xmpp::StreamReader>(Relay::plain_reader_limits()),
                              RelayOptions{limits.idle_timeout, name, context_->log}, slot_);
  backend_.reset();
  context_->links->remember(relay);
  relay->start();
}

}  // namespace pgptls::s2s
