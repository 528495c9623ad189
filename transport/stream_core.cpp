#include <algorithm>
#include <array>
#include <boost/asio/error.hpp>
#include <utility>

#include "tls/wire/errors.h"
#include "tls/wire/record_header.h"
#include "transport/detail/stream_core.h"
#include "transport/errors.h"

namespace pgptls::transport::detail {
namespace {

// A TLS record is at most 2^14 + 2048 bytes of ciphertext plus its 5-byte
// header (RFC 5246 §6.2.3); one read of that size takes any record whole.
constexpr std::size_t kLargeReadBuffer = tls::kMaxPlaintextLength + 2048 + tls::kRecordHeaderLength;
// An idle connection always has a read pending, so its read buffer is part
// of the memory every connection costs. Handshake flights and s2s stanzas
// are small, and the engine reassembles records from any number of reads:
// reads start with this size and grow to kLargeReadBuffer only while reads
// keep filling the buffer (bulk data).
constexpr std::size_t kSmallReadBuffer = 4096;
// write_some encrypts at most this much (four full records) per call, so
// one call never buffers an unbounded amount of ciphertext.
constexpr std::size_t kMaxWriteChunk = 4 * tls::kMaxPlaintextLength;

}  // namespace

StreamCore::StreamCore(EngineFactory factory)
    : factory_(std::move(factory)), last_activity_(std::chrono::steady_clock::now()) {}

std::shared_ptr<base::Pending> StreamCore::verdict_ready() const {
  if (engine_ && engine_->session().peer && engine_->session().peer->pending) {
    return engine_->session().peer->pending->ready;
  }
  return base::Pending::finished({});
}

void StreamCore::block_for_verdict() const {
  (void)verdict_ready()->wait();
}

std::optional<Action> StreamCore::settle_verdict() {
  // A settle step may yield another provisional verdict (other disk work
  // came first): wait for that one too.
  for (;;) {
    const std::optional<tls::VerifiedPeer>& peer = engine_->session().peer;
    if (!peer || !peer->pending) {
      return std::nullopt;
    }
    const std::shared_ptr<tls::PendingVerdict> pending = peer->pending;
    const std::optional<Status> ready = pending->ready->status();
    if (!ready) {
      // No application data moves until the verdict is final: the
      // handshake operation completes only then.
      return Action{Action::Kind::wait_for_verdict, {}, 0};
    }
    if (const Status settled = engine_->settle_peer(pending->settle(*ready)); !settled.ok()) {
      // The engine queued the fatal alert the refusal maps to: send it
      // first; the next step reports the failure.
      return flush_or_fail();
    }
  }
}

void StreamCore::add_received(ByteView bytes) {
  received_.insert(received_.end(), bytes.begin(), bytes.end());
}

boost::system::error_code StreamCore::begin_handshake(tls::Role role, HandshakeOptions options) {
  if (handshake_started_) {
    return Errc::already_started;
  }
  handshake_started_ = true;
  role_ = role;
  options_ = std::move(options);
  return {};
}

boost::system::error_code StreamCore::begin_read() {
  if (user_read_active_) {
    return Errc::operation_in_progress;
  }
  user_read_active_ = true;
  return {};
}

boost::system::error_code StreamCore::begin_write() {
  if (user_write_active_) {
    return Errc::operation_in_progress;
  }
  user_write_active_ = true;
  return {};
}

Action StreamCore::complete(boost::system::error_code error, std::size_t bytes) {
  return Action{Action::Kind::complete, error, bytes};
}

void StreamCore::poison(const boost::system::error_code& error, std::string context) {
  if (poisoned_) {
    return;
  }
  poisoned_ = error;
  last_error_ = Error{static_cast<std::error_code>(error), std::move(context)};
}

Action StreamCore::fail(const Error& error) {
  if (!poisoned_) {
    poisoned_ = to_error_code(error);
    last_error_ = error;
  }
  return complete(*poisoned_);
}

Action StreamCore::fail_engine() {
  if (engine_ && engine_->failure()) {
    return fail(*engine_->failure());
  }
  return fail(make_error(tls::Errc::internal_error, "the TLS engine failed without an error"));
}

Action StreamCore::flush_or_fail() {
  return engine_->pending_output().empty() ? fail_engine() : flush_or_wait();
}

Action StreamCore::flush_or_wait() {
  if (writer_busy_) {
    return Action{Action::Kind::wait_for_writer, {}, 0};
  }
  const ByteView pending = engine_->pending_output();
  // Copy: the engine may append to its output buffer (an alert, a
  // close_notify) while this write is in flight.
  write_buffer_.assign(pending.begin(), pending.end());
  engine_->consume_output(pending.size());
  writer_busy_ = true;
  return Action{Action::Kind::write, {}, write_buffer_.size()};
}

Status StreamCore::feed_received() {
  if (received_.empty()) {
    return {};
  }
  Bytes bytes;
  bytes.swap(received_);
  return engine_->feed(bytes);
}

Action StreamCore::handshake_step() {
  if (read_error_) {
    const auto error = *std::exchange(read_error_, std::nullopt);
    poison(error, "the handshake was cancelled");
  }
  if (poisoned_) {
    return complete(*poisoned_);
  }
  if (!engine_) {
    if (role_ == tls::Role::server && received_.empty()) {
      if (eof_) {
        return fail(make_error(Errc::stream_truncated,
                               "the peer closed the connection before sending a ClientHello"));
      }
      return Action{Action::Kind::read, {}, 0};
    }
    const ByteView first = role_ == tls::Role::server ? ByteView(received_) : ByteView();
    auto engine = factory_(EngineRequest{role_, options_, first});
    if (!engine) {
      if (engine.error().code == Errc::need_more_input) {
        if (received_.size() >= kMaxClientHelloPeek) {
          return fail(make_error(Errc::client_hello_too_large,
                                 "no complete ClientHello in the first " +
                                     std::to_string(received_.size()) + " bytes"));
        }
        if (eof_) {
          return fail(
              make_error(Errc::stream_truncated,
                         "the peer closed the connection in the middle of its ClientHello"));
        }
        return Action{Action::Kind::read, {}, 0};
      }
      return fail(engine.error());
    }
    engine_ = std::move(*engine);
    if (const Status started = engine_->start(); !started) {
      return fail(started.error());
    }
  }
  // A feed error poisons the engine and queues its alert; status() below
  // sends the alert first and then reports the failure.
  (void)feed_received();
  switch (engine_->status()) {
    case tls::EngineStatus::has_output:
    case tls::EngineStatus::failed:
      return flush_or_fail();
    case tls::EngineStatus::established:
    case tls::EngineStatus::closed:
      // Closed here means the handshake finished and the peer's close_notify
      // came right behind its Finished (a TLS 1.3 client that half-closes at
      // once, RFC 8446 §6.1): both engines fail a close_notify during the
      // handshake. The data before it and the eof are for the reads.
      if (auto waiting = settle_verdict()) {
        return *waiting;
      }
      established_ = true;
      return complete({});
    case tls::EngineStatus::need_input:
      break;
  }
  if (eof_) {
    return fail(make_error(Errc::stream_truncated,
                           std::string("the peer closed the connection during the handshake (in ") +
                               std::string(engine_->state_name()) + ")"));
  }
  return Action{Action::Kind::read, {}, 0};
}

std::optional<Action> StreamCore::unusable() {
  if (read_error_) {
    // A cancelled read loses nothing (the transport read returned no bytes),
    // so the stream stays usable.
    return complete(*std::exchange(read_error_, std::nullopt));
  }
  if (poisoned_) {
    return complete(*poisoned_);
  }
  if (!established_) {
    return complete(Errc::not_established);
  }
  return std::nullopt;
}

Action StreamCore::read_step(std::span<std::uint8_t> out) {
  if (auto done = unusable()) {
    return *done;
  }
  if (engine_->failure()) {
    // The engine failed on bytes this read fed it: send its alert first.
    return flush_or_fail();
  }
  if (out.empty()) {
    return complete({});
  }
  auto got = engine_->read_app(out);
  if (!got) {
    return fail(got.error());
  }
  if (*got > 0) {
    return complete({}, *got);
  }
  switch (engine_->status()) {
    case tls::EngineStatus::has_output:
    case tls::EngineStatus::failed:
      // An alert or a close_notify answer (or a TLS 1.3 KeyUpdate reply).
      return flush_or_fail();
    case tls::EngineStatus::closed:
      // RFC 5246 §7.2.1: close_notify ends the data in this direction.
      return complete(boost::asio::error::eof);
    case tls::EngineStatus::established:
    case tls::EngineStatus::need_input:
      break;
  }
  if (eof_) {
    return fail(make_error(Errc::stream_truncated, "reading application data"));
  }
  return Action{Action::Kind::read, {}, 0};
}

Action StreamCore::write_step(ByteView data, std::size_t& taken, bool& encrypted) {
  if (poisoned_) {
    return complete(*poisoned_);
  }
  if (!established_) {
    return complete(Errc::not_established);
  }
  if (!encrypted) {
    if (writer_busy_) {
      // A read is sending an alert or a close_notify answer; records must
      // not interleave on the wire.
      return Action{Action::Kind::wait_for_writer, {}, 0};
    }
    if (data.empty()) {
      return complete({});
    }
    auto written = engine_->write_app(data.first(std::min(data.size(), kMaxWriteChunk)));
    if (!written) {
      return fail(written.error());
    }
    taken = *written;
    encrypted = true;
  }
  if (!engine_->pending_output().empty()) {
    return flush_or_wait();
  }
  return complete({}, taken);
}

Action StreamCore::shutdown_step(bool& close_queued) {
  if (auto done = unusable()) {
    return *done;
  }
  if (!close_queued) {
    close_queued = true;
    if (const Status closed = engine_->close(); !closed) {
      return fail(closed.error());
    }
  }
  if (!engine_->pending_output().empty()) {
    return flush_or_wait();
  }
  // Wait for the peer's close_notify only when no read is pending: a pending
  // read will see it (and complete with eof) itself.
  if (user_read_active_ || eof_) {
    return complete({});
  }
  if (engine_->failure()) {
    return flush_or_fail();
  }
  // RFC 5246 §7.2.1: data the peer sent after our close_notify is dropped.
  std::array<std::uint8_t, 1024> discard{};
  for (;;) {
    auto got = engine_->read_app(discard);
    if (!got) {
      return fail(got.error());
    }
    if (*got == 0) {
      break;
    }
  }
  switch (engine_->status()) {
    case tls::EngineStatus::closed:
      return complete({});
    case tls::EngineStatus::has_output:
    case tls::EngineStatus::failed:
      return flush_or_fail();
    case tls::EngineStatus::established:
    case tls::EngineStatus::need_input:
      break;
  }
  return Action{Action::Kind::read, {}, 0};
}

void StreamCore::on_read(const boost::system::error_code& error, std::size_t bytes) {
  last_activity_ = std::chrono::steady_clock::now();
  if (bytes > 0) {
    const ByteView data(read_buffer_.data(), bytes);
    if (engine_ && received_.empty()) {
      (void)engine_->feed(data);
    } else {
      add_received(data);
    }
  }
  // Size the next read: a full buffer means more is waiting (bulk data), so
  // grow to a whole record; a short read means traffic is light again, so
  // give the large buffer back (read_buffer() allocates a small one).
  if (bytes > 0 && bytes == read_buffer_.size() && bytes < kLargeReadBuffer) {
    read_buffer_.resize(kLargeReadBuffer);
  } else if (bytes < kSmallReadBuffer && read_buffer_.size() > kSmallReadBuffer) {
    Bytes().swap(read_buffer_);
  }
  if (!error) {
    return;
  }
  if (error == boost::asio::error::eof) {
    eof_ = true;
  } else if (error == boost::asio::error::operation_aborted) {
    read_error_ = error;
  } else {
    poison(error, "reading from the connection");
  }
}

void StreamCore::on_write(const boost::system::error_code& error, std::size_t /*bytes*/) {
  writer_busy_ = false;
  // Keep a small buffer for the next write, but give back what a handshake
  // flight or a burst of large writes grew, so idle connections stay small.
  if (write_buffer_.capacity() > kSmallReadBuffer) {
    Bytes().swap(write_buffer_);
  } else {
    write_buffer_.clear();
  }
  last_activity_ = std::chrono::steady_clock::now();
  if (error) {
    // Part of a record may be on the wire: the stream cannot continue.
    poison(error, "writing to the connection");
  }
}

boost::asio::mutable_buffer StreamCore::read_buffer() {
  if (read_buffer_.empty()) {
    read_buffer_.resize(kSmallReadBuffer);
  }
  return boost::asio::buffer(read_buffer_);
}

boost::asio::const_buffer StreamCore::write_buffer() const {
  return boost::asio::buffer(write_buffer_);
}

const tls::SessionInfo& StreamCore::session() const {
  static const tls::SessionInfo none;
  return engine_ ? engine_->session() : none;
}

std::string_view StreamCore::engine_state() const {
  return engine_ ? engine_->state_name() : std::string_view("NoEngine");
}

}  // namespace pgptls::transport::detail
