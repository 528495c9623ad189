// stream.h: transport::Stream<NextLayer>, a TLS stream over any Asio stream
// (a tcp::socket, an in-memory stream in tests) driven by a sans-IO
// tls::Engine. It behaves like boost::asio::ssl::stream.
//
// Usage (client):
//   transport::Stream<tcp::socket> tls(factory, io.get_executor());
//   co_await tls.next_layer().async_connect(endpoint, use_awaitable);
//   co_await tls.async_handshake(tls::Role::client,
//   transport::HandshakeOptions::for_peer("b.example"),
//                                use_awaitable);
//   log(tls.session().peer->accepted_by);
//   co_await asio::async_write(tls, asio::buffer(data), use_awaitable);
//   co_await tls.async_shutdown(use_awaitable);
//
// Usage (XMPP STARTTLS, RFC 6120 §5.4.3.3): after reading <proceed/> from a
// plain socket, hand the socket and whatever followed <proceed/> in the same
// read (the peer's first TLS bytes) to a new stream, then handshake:
//   transport::Stream<tcp::socket> tls(factory, std::move(socket));
//   tls.add_received(bytes_after_proceed);
//   tls.async_handshake(tls::Role::server, {}, handler);
//
// Every asynchronous operation takes any completion token (a callback,
// asio::use_awaitable, asio::use_future, ...) and supports per-operation
// cancellation (asio::bind_cancellation_slot); cancel() cancels everything.
// A cancelled handshake fails the stream for good; a cancelled read or write
// does not (nothing was consumed), though a cancelled write may have sent
// part of a record and then the stream is failed.
//
// At most one read (async_read_some) and one write (async_write_some) may be
// pending at a time; the stream itself keeps at most one read and one write
// on the transport. Like all Asio I/O objects a Stream is used from one
// strand at a time.
//
// Errors: engine failures carry the pgptls.tls category (tls::Errc), others
// transport::Errc; an EOF without close_notify is Errc::stream_truncated; a
// close_notify makes reads complete with asio::error::eof, after every byte
// sent before it was read (it is a record in the stream, RFC 5246 §7.2.1):
// a TLS 1.2 stream answers it at that read, not when it arrives, so a
// reply written before the next read is sent in full. last_error() has the
// full message for operators.
#pragma once

#include <boost/asio/async_result.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/compose.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/system/system_error.hpp>
#include <cstddef>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>

#include "tls/engine/engine.h"
#include "tls/wire/certificate_type.h"
#include "transport/detail/stream_core.h"
#include "transport/detail/stream_op.h"
#include "transport/detail/verdict_signal.h"
#include "transport/engine_factory.h"
#include "transport/errors.h"
#include "transport/server_pacer.h"

namespace pgptls::transport {

template <class NextLayer>
class Stream {
 public:
  using next_layer_type = std::remove_reference_t<NextLayer>;
  using executor_type = typename next_layer_type::executor_type;

  // Stream: the engine factory, then the arguments that construct the next
  // layer (an executor or io_context, or an already connected socket).
  template <class... Args>
  explicit Stream(EngineFactory factory, Args&&... args)
      : next_(std::forward<Args>(args)...),
        core_(std::move(factory)),
        writer_idle_(next_.get_executor(), boost::asio::steady_timer::time_point::max()),
        handshake_deadline_(detail::unpaced(next_.get_executor())),
        verdict_signal_(next_.get_executor()),
        alive_(std::make_shared<Stream*>(this)) {}

  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;
  // A deadline handler already queued must not reach a destroyed stream.
  ~Stream() { *alive_ = nullptr; }

  [[nodiscard]] executor_type get_executor() noexcept { return next_.get_executor(); }
  [[nodiscard]] next_layer_type& next_layer() noexcept { return next_; }
  [[nodiscard]] const next_layer_type& next_layer() const noexcept { return next_; }
  [[nodiscard]] decltype(auto) lowest_layer() noexcept {
    if constexpr (requires { next_.lowest_layer(); }) {
      return next_.lowest_layer();
    } else {
      return (next_);
    }
  }

  // add_received: bytes the caller already read from the next layer that
  // belong to TLS (STARTTLS). Call before the handshake.
  void add_received(ByteView bytes) { core_.add_received(bytes); }

  // session: what was negotiated and verified; meaningful once the
  // handshake succeeded (certificate type, peer domains, how the peer was
  // accepted, protocol, cipher suite, ALPN).
  [[nodiscard]] const tls::SessionInfo& session() const { return core_.session(); }
  [[nodiscard]] bool established() const { return core_.established(); }
  // last_error: the failure that ended the stream, with its operator message.
  [[nodiscard]] const std::optional<Error>& last_error() const { return core_.last_error(); }
  // last_activity: when bytes last moved on the transport (idle timeouts).
  [[nodiscard]] std::chrono::steady_clock::time_point last_activity() const {
    return core_.last_activity();
  }
  // engine_state: the engine's state, for logs ("ExpectServerHello").
  [[nodiscard]] std::string_view engine_state() const { return core_.engine_state(); }

  // fail_with: marks the stream failed for good with `reason` (a deadline
  // passed): pending operations, once they return, and all later ones
  // complete with reason's code. Cancel or close the next layer to make
  // pending operations return.
  void fail_with(const Error& reason) { core_.poison(to_error_code(reason), reason.context); }

  // cancel: cancels every pending operation on the next layer (they
  // complete with asio::error::operation_aborted).
  void cancel() {
    if constexpr (requires { next_.cancel(); }) {
      next_.cancel();
    }
    writer_idle_.cancel();
    verdict_signal_.cancel();
  }

  // async_handshake: runs the TLS handshake; completes with an error (and
  // last_error() set) if the engine or the transport fails, or with
  // Errc::handshake_timeout when options.timeout passes first (the stream
  // is then failed for good and its pending transport I/O cancelled).
  // When the verifier accepted the peer provisionally (a pin being stored,
  // tls::PendingVerdict), it completes only after the final verdict,
  // waiting without blocking the loop; a final refusal sends its fatal
  // alert and fails the handshake with the verifier's message.
  // Signature void(boost::system::error_code).
  template <class Token>
  auto async_handshake(tls::Role role, HandshakeOptions options, Token&& token) {
    const std::chrono::milliseconds timeout = options.timeout;
    detail::HandshakeStep step{.start_error = core_.begin_handshake(role, std::move(options))};
    if (!step.start_error && timeout.count() > 0) {
      arm_handshake_deadline(timeout);
      step.deadline = &handshake_deadline_;
    }
    return compose<void(boost::system::error_code)>(std::move(step), std::forward<Token>(token));
  }

  // async_read_some: reads decrypted data (into the first non-empty buffer).
  // Signature void(boost::system::error_code, std::size_t).
  template <class MutableBuffers, class Token>
  auto async_read_some(const MutableBuffers& buffers, Token&& token) {
    return compose<void(boost::system::error_code, std::size_t)>(
        detail::ReadStep{.out = first_buffer(buffers)}, std::forward<Token>(token));
  }

  // async_write_some: encrypts and sends data (up to 64 KiB per call); the
  // completion reports how many bytes were taken, all of them on the wire.
  // Signature void(boost::system::error_code, std::size_t).
  template <class ConstBuffers, class Token>
  auto async_write_some(const ConstBuffers& buffers, Token&& token) {
    return compose<void(boost::system::error_code, std::size_t)>(
        detail::WriteStep{.data = first_buffer(buffers)}, std::forward<Token>(token));
  }

  // async_shutdown: sends close_notify (RFC 5246 §7.2.1, RFC 8446 §6.1).
  // Both engines then wait for the peer's close_notify: with no read
  // pending, the shutdown reads until it arrives (dropping application
  // data); with a read pending (a half-close), the shutdown completes once
  // ours is sent and that read goes on delivering the peer's data until its
  // close_notify ends it with eof. An EOF after our close_notify also
  // completes the shutdown. Does not close the next layer.
  // Signature void(boost::system::error_code).
  template <class Token>
  auto async_shutdown(Token&& token) {
    return compose<void(boost::system::error_code)>(detail::ShutdownStep{},
                                                    std::forward<Token>(token));
  }

  // Synchronous versions: the error_code overloads report failures there;
  // the others throw boost::system::system_error. They take no deadline
  // (HandshakeOptions::timeout is for the asynchronous handshake): a
  // blocking caller bounds its socket with its own timeouts.
  void handshake(tls::Role role, HandshakeOptions options, boost::system::error_code& error) {
    run_step(detail::HandshakeStep{.start_error = core_.begin_handshake(role, std::move(options))},
             error);
  }
  template <class MutableBuffers>
  std::size_t read_some(const MutableBuffers& buffers, boost::system::error_code& error) {
    return run_step(detail::ReadStep{.out = first_buffer(buffers)}, error);
  }
  template <class ConstBuffers>
  std::size_t write_some(const ConstBuffers& buffers, boost::system::error_code& error) {
    return run_step(detail::WriteStep{.data = first_buffer(buffers)}, error);
  }
  void shutdown(boost::system::error_code& error) { run_step(detail::ShutdownStep{}, error); }

  void handshake(tls::Role role, HandshakeOptions options = {}) {
    boost::system::error_code error;
    handshake(role, std::move(options), error);
    throw_on(error, "handshake");
  }
  template <class MutableBuffers>
  std::size_t read_some(const MutableBuffers& buffers) {
    boost::system::error_code error;
    return or_throw(read_some(buffers, error), error, "read_some");
  }
  template <class ConstBuffers>
  std::size_t write_some(const ConstBuffers& buffers) {
    boost::system::error_code error;
    return or_throw(write_some(buffers, error), error, "write_some");
  }
  void shutdown() {
    boost::system::error_code error;
    shutdown(error);
    throw_on(error, "shutdown");
  }

 private:
  template <class Signature, class Step, class Token>
  auto compose(Step step, Token&& token) {
    return boost::asio::async_compose<Token, Signature>(
        detail::StreamOp<next_layer_type, Step>(next_, core_, writer_idle_, verdict_signal_,
                                                std::move(step)),
        token, next_);
  }

  // arm_handshake_deadline: the one handshake deadline, the same for every
  // engine: when it passes the stream is failed with
  // Errc::handshake_timeout and the pending transport I/O is aborted, so
  // the handshake completes even when the peer sends nothing at all.
  void arm_handshake_deadline(std::chrono::milliseconds timeout) {
    handshake_deadline_.expires_after(timeout);
    handshake_deadline_.async_wait([alive = alive_, timeout](boost::system::error_code error) {
      Stream* self = *alive;
      if (error || self == nullptr || self->core_.established() || self->core_.last_error()) {
        return;
      }
      self->fail_with(make_error(Errc::handshake_timeout,
                                 "no complete handshake" + self->describe_peer() + " within " +
                                     std::to_string(timeout.count()) + " ms (engine in " +
                                     std::string(self->engine_state()) + ")"));
      self->abort_transport();
    });
  }

  // abort_transport: makes the pending transport read or write return.
  void abort_transport() {
    if constexpr (requires(boost::system::error_code & ignored) { next_.close(ignored); }) {
      boost::system::error_code ignored;
      next_.close(ignored);
    } else if constexpr (requires { next_.cancel(); }) {
      next_.cancel();
    }
    writer_idle_.cancel();
    verdict_signal_.cancel();
  }

  // describe_peer: " from ADDRESS:PORT" when the lowest layer is a
  // connected socket, else nothing.
  std::string describe_peer() {
    if constexpr (requires(boost::system::error_code & ignored) {
                    lowest_layer().remote_endpoint(ignored).address().to_string();
                  }) {
      boost::system::error_code ignored;
      const auto peer = lowest_layer().remote_endpoint(ignored);
      if (!ignored) {
        return " from " + peer.address().to_string() + ":" + std::to_string(peer.port());
      }
    }
    return "";
  }

  // first_buffer: the first non-empty buffer of a sequence, as bytes
  // (writable for a mutable_buffer sequence): a step moves the bytes of one
  // buffer, as Asio's read_some and write_some may.
  template <class Buffers>
  static auto first_buffer(const Buffers& buffers) {
    constexpr bool kWritable = boost::asio::is_mutable_buffer_sequence<Buffers>::value;
    using Buffer =
        std::conditional_t<kWritable, boost::asio::mutable_buffer, boost::asio::const_buffer>;
    using Byte = std::conditional_t<kWritable, std::uint8_t, const std::uint8_t>;
    for (auto it = boost::asio::buffer_sequence_begin(buffers);
         it != boost::asio::buffer_sequence_end(buffers); ++it) {
      const Buffer buffer(*it);
      if (buffer.size() > 0) {
        return std::span<Byte>(static_cast<Byte*>(buffer.data()), buffer.size());
      }
    }
    return std::span<Byte>();
  }

  // run_step: runs a step with blocking transport calls; its error goes to
  // `error`, the bytes it moved are returned.
  template <class Step>
  std::size_t run_step(Step step, boost::system::error_code& error) {
    const detail::Action action = detail::run_sync(next_, core_, step);
    error = action.error;
    return action.bytes;
  }

  // or_throw: an error_code overload's `result`, or, when it failed, the
  // exception of Asio's throwing overloads (throw_on).
  std::size_t or_throw(std::size_t result, const boost::system::error_code& error,
                       const char* what) const {
    throw_on(error, what);
    return result;
  }

  void throw_on(const boost::system::error_code& error, const char* what) const {
    if (error) {
      const auto& detail = core_.last_error();
      throw boost::system::system_error(
          error, detail ? std::string(what) + ": " + detail->message() : std::string(what));
    }
  }

  NextLayer next_;
  detail::StreamCore core_;
  boost::asio::steady_timer writer_idle_;
  boost::asio::steady_timer handshake_deadline_;  // on the unpaced loop (server_pacer.h)
  // The verdict's wake-up runs the handshake's next step: paced like it.
  detail::VerdictSignal verdict_signal_;
  std::shared_ptr<Stream*> alive_;
};

}  // namespace pgptls::transport
