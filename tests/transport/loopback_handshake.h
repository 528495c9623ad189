// loopback_handshake.h: one transport::Server on 127.0.0.1 (ephemeral port)
// and clients that connect to it one after the other, each run until both
// sides have an outcome (established or failed) under a bounded deadline.
// For the engine selection and decision matrix tests.
//
// Usage:
//   LoopbackServer server(make_server_engine_factory(settings));
//   const auto outcome = server.connect(client_factory, "a.example");
//   EXPECT_TRUE(outcome.client.ok);
//   EXPECT_EQ(outcome.server.session.certificate_type, tls::CertificateType::openpgp);
#pragma once

#include <gtest/gtest.h>

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "tls/engine/engine.h"
#include "transport/client.h"
#include "transport/errors.h"
#include "transport/server.h"

namespace pgptls::test {

// PeerSummary / SessionSummary: a copy of what tls::SessionInfo says (it
// is move-only: it holds the peer's key).
struct PeerSummary {
  tls::CertificateType type = tls::CertificateType::x509;
  std::vector<std::string> domains;
  std::string accepted_by;
};

struct SessionSummary {
  std::string protocol;
  std::string server_name;
  tls::CertificateType certificate_type = tls::CertificateType::x509;
  std::optional<PeerSummary> peer;
};

inline SessionSummary summarize(const tls::SessionInfo& session) {
  SessionSummary summary{session.protocol, session.server_name, session.certificate_type, {}};
  if (session.peer) {
    summary.peer =
        PeerSummary{session.peer->type, session.peer->domains, session.peer->accepted_by};
  }
  return summary;
}

// SideOutcome: how one side's handshake ended.
struct SideOutcome {
  bool done = false;
  bool ok = false;
  std::string error;  // the failure's message (empty when ok)
  SessionSummary session;
};

struct HandshakeOutcome {
  SideOutcome client;
  SideOutcome server;
};

class LoopbackServer {
 public:
  explicit LoopbackServer(transport::EngineFactory factory) {
    // The factory is wrapped so raw_client learns when the server has read
    // what was sent and asks for more (the factory's need_more_input).
    auto observed =
        [this, inner = std::move(factory)](
            const transport::EngineRequest& request) -> Result<std::unique_ptr<tls::Engine>> {
      auto engine = inner(request);
      if (!engine.ok() && engine.error().code == transport::Errc::need_more_input &&
          on_need_more_) {
        boost::asio::post(io_, on_need_more_);
      }
      return engine;
    };
    server_ = std::make_unique<transport::Server>(
        io_.get_executor(),
        boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address_v4("127.0.0.1"), 0),
        std::move(observed), transport::HandshakeOptions{}, transport::ServerLimits{},
        [this](std::shared_ptr<transport::Connection> connection) {
          current_.server.done = true;
          current_.server.ok = true;
          current_.server.session = summarize(connection->stream().session());
          connections_.push_back(std::move(connection));
        },
        [this](const transport::HandshakeFailure& failure) {
          current_.server.done = true;
          current_.server.error = failure.error.message();
        });
    const Status started = server_->start();
    EXPECT_TRUE(started.ok()) << started.error().message();
  }

  ~LoopbackServer() {
    server_->stop();
    for (auto& connection : connections_) {
      connection->close();
    }
    connections_.clear();
    io_.restart();
    io_.poll();
  }

  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;

  // connect: one client with `factory` dialling `domain` (with `mode`
  // overriding the factory's client mode when given); returns when both
  // sides have an outcome, or after 20 s (then fails the test).
  HandshakeOutcome connect(const transport::EngineFactory& factory, const std::string& domain,
                           std::optional<transport::ClientMode> mode = std::nullopt) {
    current_ = {};
    auto options = transport::HandshakeOptions::for_peer(domain);
    options.client_mode = mode;
    auto stream = std::make_shared<transport::TcpStream>(factory, io_.get_executor());
    transport::async_connect(
        *stream, std::vector<boost::asio::ip::tcp::endpoint>{server_->local_endpoint()}, options,
        std::chrono::seconds(15), [this, stream](boost::system::error_code ec) {
          current_.client.done = true;
          current_.client.ok = !ec;
          if (ec) {
            current_.client.error =
                stream->last_error() ? stream->last_error()->message() : ec.message();
            // Nothing else will come from our side;
            // the server sees the alert or the close.
            boost::system::error_code ignored;
            stream->next_layer().close(ignored);
          } else {
            current_.client.session = summarize(stream->session());
          }
        });
    run_until([this] { return current_.client.done && current_.server.done; });
    EXPECT_TRUE(current_.client.done && current_.server.done)
        << "the handshake did not finish on both sides within 20 s";
    // Close the client's socket; the server's connection closes with the
    // server (or when the next test drops it).
    boost::system::error_code ignored;
    stream->next_layer().close(ignored);
    io_.poll();
    return current_;
  }

  // raw_client: a plain TCP client that sends `chunks` one at a time, each
  // once the server has read the one before and asked for more, calling
  // `before_next` first (to move an injected clock: a trickling peer
  // without waiting); then it reads until the server drops it. Returns the
  // server's outcome; fails the test if either did not happen within 20 s.
  SideOutcome raw_client(std::vector<Bytes> chunks, std::function<void()> before_next = {}) {
    current_ = {};
    boost::asio::ip::tcp::socket socket(io_);
    std::size_t sent = 0;
    bool dropped = false;
    const auto send_next = [&] {
      if (sent > 0 && before_next) {
        before_next();
      }
      boost::asio::async_write(socket, boost::asio::buffer(chunks[sent++]),
                               [](boost::system::error_code, std::size_t) {});
    };
    on_need_more_ = [&] {
      if (sent < chunks.size()) {
        send_next();
      }
    };
    std::array<std::uint8_t, 512> sink{};
    std::function<void(boost::system::error_code, std::size_t)> read_until_dropped =
        [&](boost::system::error_code error, std::size_t) {
          if (error) {
            dropped = true;
            return;
          }
          socket.async_read_some(boost::asio::buffer(sink), read_until_dropped);
        };
    socket.async_connect(server_->local_endpoint(), [&](boost::system::error_code error) {
      if (error) {
        ADD_FAILURE() << "connect: " << error.message();
        dropped = true;
        return;
      }
      send_next();
      read_until_dropped({}, 0);
    });
    run_until([&] { return current_.server.done && dropped; });
    on_need_more_ = nullptr;
    EXPECT_TRUE(current_.server.done) << "the server did not decide within 20 s";
    EXPECT_TRUE(dropped) << "the server did not close the connection within 20 s";
    boost::system::error_code ignored;
    socket.close(ignored);
    io_.poll();
    return current_.server;
  }

 private:
  // run_until: runs handlers one at a time until `done()` holds, for at
  // most 20 s (a bound, not a pace: it returns at the event).
  void run_until(const std::function<bool()>& done) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    io_.restart();
    while (!done() && std::chrono::steady_clock::now() < deadline && !io_.stopped()) {
      (void)io_.run_one_until(deadline);  // io_ stops only when it has no work left
    }
  }

  boost::asio::io_context io_;
  std::unique_ptr<transport::Server> server_;
  std::vector<std::shared_ptr<transport::Connection>> connections_;
  HandshakeOutcome current_;
  std::function<void()> on_need_more_;  // set while raw_client runs
};

}  // namespace pgptls::test
