// key_exchange.h: ECDHE ServerKeyExchange (RFC 8422 §5.4), ClientKeyExchange
// (RFC 8422 §5.7) and CertificateVerify (RFC 5246 §7.4.8), the messages that
// carry key shares and handshake signatures.
#pragma once

#include <cstdint>

#include "base/bytes.h"
#include "base/result.h"

namespace pgptls::tls::messages {

// kNamedCurve: ECCurveType named_curve (RFC 8422 §5.4); the only type left.
inline constexpr std::uint8_t kNamedCurve = 3;

// DigitallySigned: SignatureAndHashAlgorithm and signature<0..2^16-1>
// (RFC 5246 §4.7, §7.4.1.4.1).
struct DigitallySigned {
  std::uint16_t scheme = 0;
  Bytes signature;
};

// ServerKeyExchange for ECDHE: ServerECDHParams then the signature over
// client_random + server_random + params.
struct ServerKeyExchange {
  std::uint16_t group = 0;
  Bytes public_key;  // ECPoint point<1..2^8-1>
  DigitallySigned signed_params;

  // params: the ServerECDHParams bytes, the signed part after the randoms.
  [[nodiscard]] Bytes params() const;
};

// parse_server_key_exchange: fails with decode_error on malformed input and
// illegal_parameter on a curve type other than named_curve.
[[nodiscard]] Result<ServerKeyExchange> parse_server_key_exchange(ByteView body);
[[nodiscard]] Result<Bytes> encode_server_key_exchange(const ServerKeyExchange& message);

// ClientKeyExchange for ECDHE: ClientECDiffieHellmanPublic, the point
// <1..2^8-1> (RFC 8422 §5.7).
[[nodiscard]] Result<Bytes> parse_client_key_exchange(ByteView body);
[[nodiscard]] Result<Bytes> encode_client_key_exchange(ByteView public_key);

// CertificateVerify: a DigitallySigned over the transcript.
[[nodiscard]] Result<DigitallySigned> parse_certificate_verify(ByteView body);
[[nodiscard]] Result<Bytes> encode_certificate_verify(const DigitallySigned& message);

}  // namespace pgptls::tls::messages
