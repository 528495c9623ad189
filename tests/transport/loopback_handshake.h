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
#include <boost/asio/write.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "base/bytes.h"
#include "tls/engine/engine.h"
#include "transport/client.h"
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
    server_ = std::make_unique<transport::Server>(
        io_.get_executor(),
        boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address_v4("127.0.0.1"), 0),
        std::move(factory), transport::HandshakeOptions{}, transport::ServerLimits{},
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
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    io_.restart();
    while ((!current_.client.done || !current_.server.done) &&
           std::chrono::steady_clock::now() < deadline) {
      io_.run_for(std::chrono::milliseconds(20));
    }
    EXPECT_TRUE(current_.client.done && current_.server.done)
        << "the handshake did not finish on both sides within 20 s";
    // Close the client's socket; the server's connection closes with the
    // server (or when the next test drops it).
    boost::system::error_code ignored;
    stream->next_layer().close(ignored);
    io_.poll();
    return current_;
  }

  // raw_client: a plain TCP client, in its own thread, that sends
  // `chunks` with `pause` before each one after the first and then waits
  // (at most 10 s) for the server to close; returns the server's outcome.
  SideOutcome raw_client(std::vector<Bytes> chunks, std::chrono::milliseconds pause) {
    current_ = {};
    const auto endpoint = server_->local_endpoint();
    std::thread client([endpoint, chunks = std::move(chunks), pause] {
      boost::asio::io_context client_io;
      boost::asio::ip::tcp::socket socket(client_io);
      boost::system::error_code error;
      socket.connect(endpoint, error);
      for (std::size_t i = 0; i < chunks.size() && !error; ++i) {
        if (i > 0) {
          std::this_thread::sleep_for(pause);
        }
        boost::asio::write(socket, boost::asio::buffer(chunks[i]), error);
      }
      // Wait for the server to drop us (bounded: no test can hang here).
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
      socket.non_blocking(true, error);
      std::array<std::uint8_t, 512> sink{};
      while (std::chrono::steady_clock::now() < deadline) {
        socket.read_some(boost::asio::buffer(sink), error);
        if (error && error != boost::asio::error::would_block) {
          break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
    });
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    io_.restart();
    while (!current_.server.done && std::chrono::steady_clock::now() < deadline) {
      io_.run_for(std::chrono::milliseconds(20));
    }
    client.join();
    EXPECT_TRUE(current_.server.done) << "the server did not decide within 20 s";
    return current_.server;
  }

 private:
  boost::asio::io_context io_;
  std::unique_ptr<transport::Server> server_;
  std::vector<std::shared_ptr<transport::Connection>> connections_;
  HandshakeOutcome current_;
};

}  // namespace pgptls::test
