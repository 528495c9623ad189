// relay.h: s2s::Relay, the established phase of a link: bytes flow both
// ways unchanged between the TLS side (the remote server, not trusted) and
// the plain side (the local XMPP server on loopback). The TLS side's bytes
// also go through an xmpp::StreamReader, so a stanza over max-stanza-bytes
// or malformed XML ends the link with the matching stream error (RFC 6120
// §4.9.3.14 policy-violation, §4.9.3.13 not-well-formed) instead of reaching
// the XMPP server. An idle link is closed with connection-timeout
// (§4.9.3.4). The plain side is parsed too (no bytes kept, generous caps)
// so that stream restarts after SASL (RFC 6120 §6.4.6: after <success/>
// both sides send new headers, with new XML declarations) reset both
// readers. Memory per link: two 4 KiB buffers, the TLS stream and two
// readers that keep no bytes.
#pragma once

#include <array>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "s2s/link.h"
#include "transport/server.h"
#include "xmpp/stream_reader.h"

namespace pgptls::s2s {

struct RelayOptions {
  std::chrono::milliseconds idle_timeout{600'000};
  std::string name;  // "s2s in b.example -> a.example", prefix of the closing line
  LogLine log;
};

class Relay final : public Closable, public std::enable_shared_from_this<Relay> {
 public:
  // `reader` continues the TLS side's stream and `plain_reader` the plain
  // side's (either may have read its header already); `keep` lives as long
  // as the relay (the link's slot).
  Relay(std::unique_ptr<transport::TcpStream> tls, boost::asio::ip::tcp::socket plain,
        std::unique_ptr<xmpp::StreamReader> reader,
        std::unique_ptr<xmpp::StreamReader> plain_reader, RelayOptions options,
        std::shared_ptr<void> keep);

  // plain_reader_limits: the caps on the trusted side's stream (it is
  // parsed only to follow restarts).
  static xmpp::ReaderLimits plain_reader_limits() { return {1 << 20, 64 << 20}; }
  ~Relay() override;

  // start: runs both directions until the link ends.
  void start();
  // close: ends the link now (shutdown).
  void close() override;

  static constexpr std::size_t kChunk = 4096;

 private:
  void untrusted_to_plain();
  void plain_to_untrusted();
  // forward: writes `bytes` (just read into one of the chunks) to `to`,
  // then reads on with `read_on`; a failed write ends the link with
  // "closed: <write_failed> (<error>)".
  template <class Stream>
  void forward(Stream& to, std::string_view bytes, const char* write_failed,
               void (Relay::*read_on)());
  void after_plain_ended();
  void fail(const std::string& condition, const std::string& text);
  void touch();
  void arm_idle();
  void finish(const std::string& reason);
  // end: the closing line (finish), then close.
  void end(const std::string& reason);

  std::unique_ptr<transport::TcpStream> tls_;
  boost::asio::ip::tcp::socket plain_;
  std::unique_ptr<xmpp::StreamReader> reader_;
  std::unique_ptr<xmpp::StreamReader> plain_reader_;
  bool plain_reader_failed_ = false;
  RelayOptions options_;
  std::shared_ptr<void> keep_;
  boost::asio::steady_timer idle_;
  std::chrono::steady_clock::time_point last_activity_;
  std::string pending_error_;
  bool closed_ = false;
  bool logged_ = false;
  std::array<char, kChunk> from_tls_{};
  std::array<char, kChunk> from_plain_{};
};

}  // namespace pgptls::s2s
