// stream_core.h: the I/O-free logic of transport::Stream. The Stream's
// composed operations (asynchronous and synchronous) only execute the
// Actions a StreamCore step returns: read from the transport into
// read_buffer(), write write_buffer() out in full, wait for the transport
// writer to finish, or complete. Keeping the logic here, out of templates,
// means one implementation serves every NextLayer and every completion
// token, and can be tested without sockets.
#pragma once

#include <boost/asio/buffer.hpp>
#include <boost/system/error_code.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>

#include "base/bytes.h"
#include "base/pending.h"
#include "base/result.h"
#include "tls/engine/engine.h"
#include "transport/engine_factory.h"

namespace pgptls::transport::detail {

// Action: what the executing operation must do next. wait_for_verdict: the
// handshake is done but the peer's verdict is provisional
// (tls::PendingVerdict): wait, without blocking, until the waker runs (or
// the deadline fails the stream), then step again.
struct Action {
  enum class Kind : std::uint8_t { read, write, wait_for_writer, wait_for_verdict, complete };
  Kind kind = Kind::complete;
  boost::system::error_code error;
  std::size_t bytes = 0;
};

// StreamCore: engine, buffers and the state shared by all operations of one
// stream. Not thread-safe: like asio::ssl::stream, one stream is used from
// one strand.
class StreamCore {
 public:
  explicit StreamCore(EngineFactory factory);
  StreamCore(const StreamCore&) = delete;
  StreamCore& operator=(const StreamCore&) = delete;

  // verdict_ready: the completion a wait_for_verdict Action waits for.
  [[nodiscard]] std::shared_ptr<base::Pending> verdict_ready() const;
  // block_for_verdict: the synchronous driver's wait (not for an event
  // loop): returns once the provisional verdict is ready.
  void block_for_verdict() const;

  // add_received: bytes already read from the transport before the stream
  // took over (STARTTLS: whatever followed <proceed/> in the last read).
  void add_received(ByteView bytes);

  // Begin an operation. Each returns an error if it may not start now.
  boost::system::error_code begin_handshake(tls::Role role, HandshakeOptions options);
  boost::system::error_code begin_read();
  boost::system::error_code begin_write();
  void end_read() { user_read_active_ = false; }
  void end_write() { user_write_active_ = false; }

  // Steps: the next action of each kind of operation.
  Action handshake_step();
  Action read_step(std::span<std::uint8_t> out);
  Action write_step(ByteView data, std::size_t& taken, bool& encrypted);
  Action shutdown_step(bool& close_queued);

  // Results of transport I/O started for an Action.
  void on_read(const boost::system::error_code& error, std::size_t bytes);
  void on_write(const boost::system::error_code& error, std::size_t bytes);

  // Fail the stream for good (cancelled handshake, deadline): later
  // operations complete with this error.
  void poison(const boost::system::error_code& error, std::string context);

  // Buffers for the transport I/O of the current Action.
  [[nodiscard]] boost::asio::mutable_buffer read_buffer();
  [[nodiscard]] boost::asio::const_buffer write_buffer() const;

  [[nodiscard]] bool established() const { return established_; }
  [[nodiscard]] bool writer_busy() const { return writer_busy_; }
  // session: what the engine negotiated and verified (after the handshake).
  [[nodiscard]] const tls::SessionInfo& session() const;
  // last_error: the failure that ended the stream, with the engine's full
  // message (cause and fix), or nullopt.
  [[nodiscard]] const std::optional<Error>& last_error() const { return last_error_; }
  // last_activity: when bytes last moved on the transport (idle timeouts).
  [[nodiscard]] std::chrono::steady_clock::time_point last_activity() const {
    return last_activity_;
  }
  // engine_state: the engine's state name, for logs.
  [[nodiscard]] std::string_view engine_state() const;

 private:
  Action complete(boost::system::error_code error, std::size_t bytes = 0);
  // unusable: how a read or shutdown step ends before it touches the
  // engine (a cancelled read's error, reported once; an earlier failure;
  // not established yet), or nullopt when the stream is usable.
  std::optional<Action> unusable();
  Action fail(const Error& error);
  Action fail_engine();
  Action flush_or_wait();
  // flush_or_fail: the engine's output goes out first (an alert, a
  // close_notify answer, a flight); with none left, its failure ends the
  // step (status() reports has_output before failed).
  Action flush_or_fail();
  Status feed_received();
  // settle_verdict: once the engine is established: nullopt when the
  // peer's verdict is final (or there is no peer); else waits for a
  // provisional one, and settles it when ready (a refusal sends the
  // engine's alert and fails the handshake).
  std::optional<Action> settle_verdict();

  EngineFactory factory_;
  std::unique_ptr<tls::Engine> engine_;
  tls::Role role_ = tls::Role::client;
  HandshakeOptions options_;

  Bytes received_;      // transport bytes not yet fed to an engine
  Bytes read_buffer_;   // target of transport reads (allocated on first use)
  Bytes write_buffer_;  // a copy of engine output being written

  bool handshake_started_ = false;
  bool established_ = false;
  bool eof_ = false;
  bool writer_busy_ = false;
  bool user_read_active_ = false;
  bool user_write_active_ = false;
  std::optional<boost::system::error_code> poisoned_;
  std::optional<boost::system::error_code> read_error_;  // a cancelled read
  std::optional<Error> last_error_;
  std::chrono::steady_clock::time_point last_activity_;
};

}  // namespace pgptls::transport::detail
