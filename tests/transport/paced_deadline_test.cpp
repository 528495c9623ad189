// A handshake's deadline under a flood: the steps of handshaking
// connections wait in the loop's HandshakePacer, but the deadline that
// bounds them must not. A stream whose socket is paced (as transport::Server
// gives it) is cut when its deadline passes although the pacer holds queued
// steps that cannot run: the stream is failed with handshake_timeout and its
// socket closed before any of those steps runs.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <memory>

#include "transport/engine_factory.h"
#include "transport/errors.h"
#include "transport/server_pacer.h"
#include "transport/stream.h"

namespace pgptls::test {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace std::chrono_literals;

TEST(PacedHandshakeDeadline, AnExpiredHandshakeIsCutBeforeTheQueuedStepsRun) {
  asio::io_context io;
  // The pacer's CPU clock moves 1 ms on every reading, so no turn looks
  // idle; the first queued step costs 1 000 hours of it, so the budget never
  // recovers and no later step runs: the queue stays full, as under a flood
  // that outruns the handshake share.
  std::chrono::nanoseconds cpu{0};
  auto pacer = std::make_shared<transport::detail::HandshakePacer>(
      io.get_executor(), transport::detail::PacingPolicy{}, [&] { return cpu += 1ms; });
  pacer->defer([&] { cpu += 1000h; });
  int queued_steps_run = 0;
  for (int i = 0; i < 10; ++i) {
    pacer->defer([&] { ++queued_steps_run; });
  }

  // A silent peer, accepted on a paced socket as transport::Server does.
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address_v4("127.0.0.1"), 0));
  tcp::socket peer(io);
  peer.connect(acceptor.local_endpoint());
  auto gate = std::make_shared<transport::detail::Gate>(pacer);
  tcp::socket accepted(
      asio::any_io_executor(transport::detail::PacedExecutor(io.get_executor(), gate)));
  acceptor.accept(accepted);
  // The peer sends no ClientHello, so no engine is ever made.
  const transport::EngineFactory no_engine =
      [](const transport::EngineRequest&) -> Result<std::unique_ptr<tls::Engine>> {
    return make_error(transport::Errc::not_established, "the silent peer sent nothing");
  };
  transport::Stream<tcp::socket> stream(no_engine, std::move(accepted));
  transport::HandshakeOptions options;
  options.timeout = 1ms;
  bool completed = false;
  stream.async_handshake(tls::Role::server, options,
                         [&](boost::system::error_code) { completed = true; });

  // Runs until the deadline cut the stream; the bound only ends a failing
  // run (a deadline queued behind the steps never fires).
  const auto limit = std::chrono::steady_clock::now() + 10s;
  while (!stream.last_error() && std::chrono::steady_clock::now() < limit) {
    io.run_one_for(10ms);
  }
  ASSERT_TRUE(stream.last_error()) << "the deadline waited behind the queued handshake steps";
  EXPECT_EQ(stream.last_error()->code, transport::Errc::handshake_timeout)
      << stream.last_error()->message();
  EXPECT_NE(stream.last_error()->message().find("no complete handshake"), std::string::npos)
      << stream.last_error()->message();
  EXPECT_FALSE(stream.next_layer().is_open()) << "the cut handshake's socket is still open";
  EXPECT_EQ(queued_steps_run, 0);
  // The queued steps and the handshake's own completion still wait.
  EXPECT_GE(pacer->queued(), 10U);
  EXPECT_FALSE(completed);
}

}  // namespace
}  // namespace pgptls::test
