// exported_cert.h: certificates exported by gpg (GpgHome::export_cert), as
// the trust tests hold and parse them.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <utility>

#include "base/bytes.h"
#include "openpgp/cert.h"

namespace pgptls::test {

// bytes_of: gpg's exported bytes as Bytes.
inline Bytes bytes_of(const std::string& text) {
  return Bytes(text.begin(), text.end());
}

// parse_exported_cert: the certificate in `binary`; a parse failure fails
// the test (and returns an empty certificate so the test can go on).
inline openpgp::Cert parse_exported_cert(const Bytes& binary) {
  auto cert = openpgp::parse_certificate(binary);
  EXPECT_TRUE(cert.ok()) << cert.error().message();
  return cert.ok() ? std::move(cert).value() : openpgp::Cert{};
}

}  // namespace pgptls::test
