// engine_flavor.h: transport tests that run once per engine: the GnuTLS
// engine with TLS 1.3 or 1.2 at most, and the RFC 6091 engine (TLS 1.2,
// X.509 certificate type), each side pinned to the other.
#pragma once

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include "tests/transport/transport_fixture.h"
#include "tls/engine/engine.h"

namespace pgptls::test {

// Flavor: the engine under test and, for GnuTLS, the highest version.
enum class Flavor { gnutls13, gnutls12, rfc6091 };

inline std::string flavor_name(const ::testing::TestParamInfo<Flavor>& info) {
  switch (info.param) {
    case Flavor::gnutls13:
      return "Tls13";
    case Flavor::gnutls12:
      return "Tls12";
    case Flavor::rfc6091:
      return "Rfc6091Tls12";
  }
  return "unknown";
}

// read_all: the application data the engine holds, read in small pieces,
// ending with the read that finds none (which receives a close_notify
// behind the data).
inline std::string read_all(tls::Engine& engine) {
  std::string text;
  std::array<std::uint8_t, 256> buffer{};
  for (;;) {
    const auto got = engine.read_app(buffer);
    if (!got.ok() || *got == 0) {
      return text;
    }
    text.append(reinterpret_cast<const char*>(buffer.data()), *got);
  }
}

class EngineFlavorTest : public TransportTest, public ::testing::WithParamInterface<Flavor> {
 protected:
  [[nodiscard]] bool gnutls() const { return GetParam() != Flavor::rfc6091; }
  [[nodiscard]] bool tls13() const { return GetParam() == Flavor::gnutls13; }
  [[nodiscard]] tls::TlsVersion max_version() const {
    return tls13() ? tls::TlsVersion::tls13 : tls::TlsVersion::tls12;
  }
  [[nodiscard]] std::string expected_protocol() const { return tls13() ? "TLS1.3" : "TLS1.2"; }

  // engine: a client (at most max_version()) or server engine of the
  // flavor, pinned to the other side, not yet started; nullptr (and a
  // test failure) when it cannot be made.
  std::unique_ptr<tls::Engine> engine(tls::Role role) {
    const bool client = role == tls::Role::client;
    const Identity& own = client ? client_ : server_;
    auto verifier = client ? client_verifier_ : server_verifier_;
    auto made = [&]() -> Result<std::unique_ptr<tls::Engine>> {
      if (!gnutls()) {
        return rfc6091_x509_engine(role, own, verifier);
      }
      auto config = engine_config(role, &own, verifier, max_version());
      if (!client) {
        config.client_auth = tls::ClientAuth::require;
      }
      return tls::make_gnutls_engine(std::move(config));
    }();
    EXPECT_TRUE(made.ok()) << made.error().message();
    return made.ok() ? std::move(made).value() : nullptr;
  }

  // engines: a client and a server engine of the flavor.
  std::pair<std::unique_ptr<tls::Engine>, std::unique_ptr<tls::Engine>> engines() {
    return {engine(tls::Role::client), engine(tls::Role::server)};
  }
};

}  // namespace pgptls::test
