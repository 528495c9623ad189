#include "tls/wire/messages/certificate.h"

#include <string>

#include "base/byte_reader.h"
#include "base/byte_writer.h"
#include "tls/wire/errors.h"
#include "tls/wire/messages/parse_support.h"

namespace pgptls::tls::messages {

namespace {

constexpr std::size_t kMinKeyId = 8;
constexpr std::size_t kMaxKeyId = 255;
constexpr std::size_t kMinFingerprint = 20;
constexpr std::size_t kMaxFingerprint = 255;
constexpr std::size_t kMinTransferableKey = 3;

Error too_large(std::string_view what, std::size_t size, std::size_t cap) {
  return make_error(Errc::bad_certificate,
                    std::string(what) + " of " + std::to_string(size) +
                        " bytes exceeds the policy cap of " + std::to_string(cap) +
                        " bytes (raise max_certificate if the peer is legitimate)");
}

Result<X509CertificateMessage> read_x509(ByteReader& reader, const MessageLimits& limits) {
  PGPTLS_TRY(auto list, reader.prefixed(LengthPrefix::u24));
  PGPTLS_CHECK(reader.expect_empty());
  X509CertificateMessage message;
  while (!list.empty()) {
    if (message.chain.size() == limits.max_chain_length) {
      return make_error(Errc::bad_certificate, "X.509 chain longer than the policy cap of " +
                                                   std::to_string(limits.max_chain_length) +
                                                   " certificates");
    }
    PGPTLS_TRY(const ByteView certificate, list.prefixed_bytes(LengthPrefix::u24, 1));
    if (certificate.size() > limits.max_certificate) {
      return too_large("X.509 certificate", certificate.size(), limits.max_certificate);
    }
    message.chain.push_back(to_bytes(certificate));
  }
  return message;
}

// read_rfc6091: the RFC 6091 §3.3 Certificate structure, to the end.
Result<OpenPgpCertificateMessage> read_rfc6091(ByteReader& reader, const MessageLimits& limits) {
  OpenPgpCertificateMessage message;
  PGPTLS_TRY(const std::uint8_t descriptor, reader.u8());
  switch (static_cast<OpenPgpDescriptor>(descriptor)) {
    case OpenPgpDescriptor::empty_cert: {
      PGPTLS_TRY(const ByteView empty, reader.prefixed_bytes(LengthPrefix::u24));
      // PGPEmptyCert<0..2^24-1> is empty by meaning; content is refused
      // rather than ignored so no two encodings mean the same thing.
      if (!empty.empty()) {
        return make_error(Errc::decode_error,
                          "OpenPGP empty_cert carries " + std::to_string(empty.size()) + " bytes");
      }
      break;
    }
    case OpenPgpDescriptor::subkey_cert: {
      PGPTLS_TRY(const ByteView key_id,
                 reader.prefixed_bytes(LengthPrefix::u8, kMinKeyId, kMaxKeyId));
      PGPTLS_TRY(const ByteView key, reader.prefixed_bytes(LengthPrefix::u24, kMinTransferableKey));
      if (key.size() > limits.max_certificate) {
        return too_large("OpenPGP certificate", key.size(), limits.max_certificate);
      }
      message.key_id = to_bytes(key_id);
      message.transferable_key = to_bytes(key);
      break;
    }
    case OpenPgpDescriptor::subkey_cert_fingerprint: {
      PGPTLS_TRY(const ByteView key_id,
                 reader.prefixed_bytes(LengthPrefix::u8, kMinKeyId, kMaxKeyId));
      PGPTLS_TRY(const ByteView fingerprint,
                 reader.prefixed_bytes(LengthPrefix::u8, kMinFingerprint, kMaxFingerprint));
      message.key_id = to_bytes(key_id);
      message.fingerprint = to_bytes(fingerprint);
      break;
    }
    default:
      return make_error(Errc::illegal_parameter, "unknown OpenPGP certificate descriptor " +
                                                     std::to_string(descriptor) +
                                                     " (RFC 6091 §3.3 defines 1 to 3)");
  }
  message.descriptor = static_cast<OpenPgpDescriptor>(descriptor);
  PGPTLS_CHECK(reader.expect_empty());
  return message;
}

}  // namespace

Result<X509CertificateMessage> parse_x509_certificate(ByteView body, const MessageLimits& limits) {
  return parse_whole(body, "X.509 Certificate message",
                     [&limits](ByteReader& reader) { return read_x509(reader, limits); });
}

Result<Bytes> encode_x509_certificate(const X509CertificateMessage& message) {
  ByteWriter writer;
  {
    auto list = writer.prefixed(LengthPrefix::u24);
    for (const Bytes& certificate : message.chain) {
      auto entry = writer.prefixed(LengthPrefix::u24);
      writer.bytes(certificate);
    }
  }
  return std::move(writer).finish();
}

Result<OpenPgpCertificateMessage> parse_openpgp_certificate(ByteView body,
                                                            const MessageLimits& limits) {
  if (body.empty()) {
    return make_error(Errc::decode_error, "empty OpenPGP Certificate message");
  }
  std::optional<Error> rfc_error;
  if (body[0] >= 1 && body[0] <= 3) {
    ByteReader reader(body);
    auto message = read_rfc6091(reader, limits);
    if (message.ok()) {
      message->layout = OpenPgpLayout::rfc;
      return message;
    }
    rfc_error = message.error();
  }
  // GnuTLS 3.5 layout: a uint24 whose value GnuTLS itself gets wrong (and
  // only checks for zero), then the RFC structure up to the end.
  ByteReader reader(body);
  auto prefix = reader.u24();
  if (!prefix.ok()) {
    return malformed_unless_tls("OpenPGP Certificate message", rfc_error.value_or(prefix.error()));
  }
  auto message = read_rfc6091(reader, limits);
  if (!message.ok()) {
    // Report the RFC reading's error when the body looked like one.
    return malformed_unless_tls("OpenPGP Certificate message", rfc_error.value_or(message.error()));
  }
  message->layout = OpenPgpLayout::gnutls;
  return message;
}

Result<Bytes> encode_openpgp_certificate(const OpenPgpCertificateMessage& message) {
  ByteWriter writer;
  std::optional<ByteWriter::Prefixed> outer;
  if (message.layout == OpenPgpLayout::gnutls) {
    outer.emplace(writer.prefixed(LengthPrefix::u24));
  }
  writer.u8(static_cast<std::uint8_t>(message.descriptor));
  switch (message.descriptor) {
    case OpenPgpDescriptor::empty_cert: {
      auto empty = writer.prefixed(LengthPrefix::u24);
      break;
    }
    case OpenPgpDescriptor::subkey_cert: {
      {
        auto key_id = writer.prefixed(LengthPrefix::u8, kMaxKeyId);
        writer.bytes(message.key_id);
      }
      auto key = writer.prefixed(LengthPrefix::u24);
      writer.bytes(message.transferable_key);
      break;
    }
    case OpenPgpDescriptor::subkey_cert_fingerprint: {
      {
        auto key_id = writer.prefixed(LengthPrefix::u8, kMaxKeyId);
        writer.bytes(message.key_id);
      }
      auto fingerprint = writer.prefixed(LengthPrefix::u8, kMaxFingerprint);
      writer.bytes(message.fingerprint);
      break;
    }
  }
  if (outer.has_value()) {
    outer->close();
  }
  outer.reset();
  return std::move(writer).finish();
}

}  // namespace pgptls::tls::messages
