#include "s2s/outbound_session.h"

#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/channel.hpp>
#include <utility>

#include "s2s/errors.h"
#include "s2s/relay.h"
#include "tls/wire/errors.h"
#include "xmpp/stream_writer.h"

namespace pgptls::s2s {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

std::string target_text(const tcp::endpoint& endpoint, const Target& target) {
  return endpoint_text(endpoint) + " (" + (target.direct_tls ? "direct-tls" : "starttls") + ")";
}

// await_result: turns a callback API into an awaitable via a one-slot
// channel (no exceptions: the value travels as a Result).
template <class Value, class Start>
asio::awaitable<Result<Value>> await_result(Start start) {
  auto executor = co_await asio::this_coro::executor;
  auto result = std::make_shared<std::optional<Result<Value>>>();
  asio::experimental::channel<void(boost::system::error_code)> done(executor, 1);
  start([result, &done](Result<Value> value) {
    *result = std::move(value);
    done.try_send(boost::system::error_code{});
  });
  auto [ignored] = co_await done.async_receive(kTuple);
  (void)ignored;
  co_return std::move(**result);
}

}  // namespace

void OutboundSession::close_others() {
  close_attempt();
}

void OutboundSession::close_attempt() {
  boost::system::error_code ignored;
  if (attempt_socket_ != nullptr) {
    attempt_socket_->close(ignored);
  }
  if (attempt_tls_ != nullptr) {
    attempt_tls_->next_layer().close(ignored);
  }
}

void OutboundSession::fail(std::string reply, const std::string& reason) {
  if (context_->log) {
    context_->log(name_ + ": failed: " + reason);
  }
  deadline_.cancel();
  reply_and_close(std::move(reply));
}

asio::awaitable<Result<std::vector<Target>>> OutboundSession::resolve_targets(
    const std::string& domain) {
  auto resolver = context_->resolver;
  auto start = [resolver, domain](auto done) { resolver->targets(domain, std::move(done)); };
  auto result = co_await await_result<std::vector<Target>>(start);
  co_return result;
}

asio::awaitable<Result<std::vector<tcp::endpoint>>> OutboundSession::resolve_addresses(
    const Target& target) {
  auto resolver = context_->resolver;
  auto start = [resolver, target](auto done) {
    resolver->addresses(target.host, target.port, std::move(done));
  };
  auto result = co_await await_result<std::vector<tcp::endpoint>>(start);
  co_return result;
}

asio::awaitable<void> OutboundSession::run() {
  auto self = shared_from_this();
  const Limits& limits = context_->limits;
  name_ = "s2s out " + endpoint_text([&] {
            boost::system::error_code ignored;
            return socket_.remote_endpoint(ignored);
          }());
  // The local server's header must arrive within the deadline too.
  close_at_deadline();
  xmpp::StreamReader reader({limits.max_header_bytes, limits.max_stanza_bytes});
  std::string seen;
  auto header_event = co_await next_event(socket_, reader, buffer_, &seen);
  if (!header_event.ok()) {
    const Error& error = header_event.error();
    if (is_stream_error(error)) {
      fail(xmpp::stream_header({}) + xmpp::stream_error(condition_of(error), error.message()),
           "the XMPP server's stream: " + condition_of(error) + ": " + error.message());
    } else {
      std::string reason = "no stream header from the XMPP server in time";
      if (!deadline_.expired()) {
        reason = "the XMPP server closed the connection: " + error.message();
      }
      fail({}, reason);
    }
    co_return;
  }
  deadline_.cancel();
  const xmpp::StreamHeader header = *reader.header();
  const std::string to = lower_domain(header.to);
  name_ = "s2s out " + lower_domain(header.from) + " -> " + to;
  const xmpp::HeaderFields reply_fields{
      .from = header.to, .to = header.from, .id = random_stream_id()};
  const HostedDomain* from = find_domain(context_->domains, header.from);
  if (from == nullptr) {
    fail(xmpp::stream_header(reply_fields) +
             xmpp::stream_error("invalid-from",
                                "pgptls has no credentials for '" + header.from + "'"),
         "'" + header.from + "' is not a hosted domain; add a [[domain]] for it");
    co_return;
  }
  if (to.empty()) {
    fail(xmpp::stream_header(reply_fields) +
             xmpp::stream_error("improper-addressing", "the stream header has no 'to'"),
         "the XMPP server's stream header has no 'to'");
    co_return;
  }
  // The local server's header and anything after it go to the remote
  // side once TLS is up.
  const std::string local_bytes = seen.substr(header.end_offset - header.raw.size());

  auto targets = co_await resolve_targets(to);
  if (!targets.ok()) {
    fail(xmpp::stream_header(reply_fields) +
             xmpp::stream_error("remote-connection-failed", targets.error().message()),
         "DNS: " + targets.error().message());
    co_return;
  }
  std::string reasons;
  std::optional<Established> established;
  std::string via;
  for (const Target& target : *targets) {
    if (closed_) {
      co_return;
    }
    auto addresses = co_await resolve_addresses(target);
    if (!addresses.ok()) {
      reasons += (reasons.empty() ? "" : "; ") + target.host + ": " + addresses.error().message();
      continue;
    }
    for (const tcp::endpoint& endpoint : *addresses) {
      auto attempted = co_await attempt(endpoint, target, *from, to, local_bytes);
      if (attempted.ok()) {
        established.emplace(std::move(attempted).value());
        via = target_text(endpoint, target);
        break;
      }
      reasons += (reasons.empty() ? "" : "; ") + target_text(endpoint, target) + ": " +
                 attempted.error().message();
    }
    if (established) {
      break;
    }
  }
  if (!established) {
    if (reasons.empty()) {
      reasons = "no target to try";
    }
    // RFC 6120 §4.9.3.15 remote-connection-failed.
    fail(
        xmpp::stream_header(reply_fields) + xmpp::stream_error("remote-connection-failed", reasons),
        reasons);
    co_return;
  }
  if (closed_ || !co_await write_all(socket_, established->remote_bytes)) {
    fail({}, "the XMPP server closed its connection during the negotiation");
    co_return;
  }
  if (context_->log) {
    context_->log(name_ + " via " + via + ": " + accepted_text(established->tls->session()));
  }
  // The local server's stream continues after the header it already sent.
  auto local_reader = std::make_unique<xmpp::StreamReader>(Relay::plain_reader_limits());
  (void)local_reader->feed(local_bytes);
  auto relay = std::make_shared<Relay>(
      std::move(established->tls), std::move(socket_), std::move(established->reader),
      std::move(local_reader), RelayOptions{limits.idle_timeout, name_, context_->log}, slot_);
  context_->links->remember(relay);
  relay->start();
}

asio::awaitable<Result<OutboundSession::Established>> OutboundSession::attempt(
    const tcp::endpoint& endpoint, const Target& target, const HostedDomain& from,
    const std::string& to, const std::string& local_bytes) {
  const Limits& limits = context_->limits;
  tcp::socket socket(socket_.get_executor());
  std::unique_ptr<transport::TcpStream> tls;
  attempt_socket_ = &socket;
  attempt_tls_ = nullptr;
  struct Clear {
    OutboundSession* session;
    ~Clear() {
      session->attempt_socket_ = nullptr;
      session->attempt_tls_ = nullptr;
    }
  } clear{this};
  bool expired = false;
  deadline_.start(limits.handshake_timeout, [this, &expired] {
    expired = true;
    close_attempt();
  });
  struct Stop {
    Deadline& deadline;
    ~Stop() { deadline.cancel(); }
  } stop{deadline_};
  const auto timeout_error = [&] {
    return make_error(transport::Errc::handshake_timeout,
                      "no connection, STARTTLS and TLS handshake within " +
                          std::to_string(limits.handshake_timeout.count()) + " ms");
  };

  auto [connect_error] = co_await socket.async_connect(endpoint, kTuple);
  if (connect_error) {
    if (expired) {
      co_return timeout_error();
    }
    co_return Error{std::error_code(connect_error), "connect"};
  }
  boost::system::error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);

  std::string tls_bytes;
  if (!target.direct_tls) {
    // RFC 6120 §5.4.2: header, features with <starttls/>, <starttls/>,
    // <proceed/>.
    const std::string open = xmpp::stream_header({.from = from.name, .to = to, .id = ""});
    if (!co_await write_all(socket, open)) {
      co_return expired ? timeout_error() : make_error(Errc::peer_closed, "writing");
    }
    xmpp::StreamReader reader({limits.max_header_bytes, limits.max_stanza_bytes});
    std::optional<xmpp::Event> features;
    while (!features) {
      auto event = co_await next_event(socket, reader, buffer_, nullptr);
      if (!event.ok()) {
        co_return expired ? timeout_error() : event.error().wrap("before STARTTLS");
      }
      if (event->kind == xmpp::EventKind::element && event->name == "features" &&
          event->ns == xmpp::kStreamNamespace) {
        features = std::move(*event);
      } else if (event->kind == xmpp::EventKind::element && event->name == "error") {
        co_return make_error(xmpp::Errc::bad_format,
                             "the server answered with a stream error: " + event->raw);
      } else if (event->kind == xmpp::EventKind::stream_end) {
        co_return make_error(xmpp::Errc::bad_format, "the server closed the stream");
      }
    }
    const std::string starttls = std::string(xmpp::kTlsNamespace) + " starttls";
    if (std::find(features->children.begin(), features->children.end(), starttls) ==
        features->children.end()) {
      co_return make_error(xmpp::Errc::bad_format,
                           "the server does not offer STARTTLS (RFC 6120 §5.4.1); pgptls "
                           "never sends s2s traffic in the clear");
    }
    reader.stop_after_element();
    const std::string request = xmpp::starttls_request();
    if (!co_await write_all(socket, request)) {
      co_return expired ? timeout_error() : make_error(Errc::peer_closed, "writing");
    }
    auto answer = co_await next_event(socket, reader, buffer_, nullptr);
    if (!answer.ok()) {
      co_return expired ? timeout_error() : answer.error().wrap("after <starttls/>");
    }
    if (answer->ns != xmpp::kTlsNamespace || answer->name != "proceed") {
      // RFC 6120 §5.4.2.2: <failure/> ends the attempt.
      co_return make_error(xmpp::Errc::bad_format,
                           "the server answered <starttls/> with <" + answer->name + "/>");
    }
    tls_bytes = reader.unparsed_tail();
  }

  tls = std::make_unique<transport::TcpStream>(from.outbound, std::move(socket));
  attempt_socket_ = nullptr;
  attempt_tls_ = tls.get();
  tls->add_received(as_bytes_view(tls_bytes));
  transport::HandshakeOptions options = transport::HandshakeOptions::for_peer(to);
  auto [handshake_error] =
      co_await tls->async_handshake(tls::Role::client, std::move(options), kTuple);
  if (handshake_error) {
    if (expired) {
      co_return timeout_error();
    }
    co_return tls->last_error() ? *tls->last_error()
                                : Error{std::error_code(handshake_error), "TLS handshake"};
  }
  if (!authenticated_as(tls->session(), to)) {
    co_return make_error(tls::Errc::peer_rejected, "the server was not authenticated as " + to);
  }
  // The local server's header (and anything after it), then the remote's
  // answering header: RFC 6120 §5.4.3.3, the stream restarts over TLS.
  if (!co_await write_all(*tls, local_bytes)) {
    co_return expired ? timeout_error()
                      : (tls->last_error() ? *tls->last_error()
                                           : make_error(Errc::peer_closed, "after the handshake"));
  }
  Established established;
  established.reader = std::make_unique<xmpp::StreamReader>(
      xmpp::ReaderLimits{limits.max_header_bytes, limits.max_stanza_bytes});
  auto answer = co_await next_event(*tls, *established.reader, buffer_, &established.remote_bytes);
  if (!answer.ok()) {
    if (expired) {
      co_return timeout_error();
    }
    co_return tls->last_error() ? *tls->last_error() : answer.error();
  }
  established.tls = std::move(tls);
  co_return established;
}

}  // namespace pgptls::s2s
