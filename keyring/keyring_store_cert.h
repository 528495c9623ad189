// keyring_store_cert.h: StoredCert, a certificate as the keyring store keeps
// it: the packets of one transferable public key (RFC 9580 §10.1), grouped
// by component (primary key, user IDs, user attributes, subkeys) with their
// signatures, each packet kept byte for byte as it arrived. The store needs
// only what this gives: the fingerprints and key IDs of the component keys,
// the user IDs, the union of two copies, and the bytes to write back. It
// does not interpret signatures; deciding what is valid is validation's job
// on the full certificate model.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"

namespace pgptls::keyring {

// StoreParseLimits: caps on untrusted input.
struct StoreParseLimits {
  std::size_t max_packet_size = std::size_t{1} << 20;       // one packet
  std::size_t max_certificate_size = std::size_t{4} << 20;  // one certificate
  std::size_t max_packets_per_certificate = 100'000;
};

// StoredPacket: one packet, header included, exactly as read.
struct StoredPacket {
  std::uint8_t tag = 0;
  Bytes raw;               // header and body
  std::size_t header = 0;  // length of the header within raw
  [[nodiscard]] ByteView body() const { return ByteView(raw).subspan(header); }
};

// StoredComponent: a key, user ID or user attribute packet and the
// signature packets that follow it.
struct StoredComponent {
  StoredPacket packet;
  std::vector<StoredPacket> signatures;
};

// StoredKey: what the index needs of a primary key or subkey.
struct StoredKey {
  std::uint8_t version = 0;
  std::uint32_t created = 0;   // creation time, seconds since 1970 (RFC 9580 §5.5.2)
  std::uint8_t algorithm = 0;  // public-key algorithm ID (RFC 9580 §9.1)
  Bytes fingerprint;           // 20 bytes (v4) or 32 bytes (v6)
  Bytes key_id;                // 8 bytes
};

class StoredCert {
 public:
  // fingerprint: the primary key's fingerprint.
  [[nodiscard]] ByteView fingerprint() const noexcept { return primary_key_.fingerprint; }
  // component_keys: the primary key, then every subkey.
  [[nodiscard]] std::vector<StoredKey> component_keys() const;
  // user_ids: the text of every user ID packet, in order.
  [[nodiscard]] std::vector<std::string> user_ids() const;
  // serialize: every packet in RFC 9580 §10.1 order.
  [[nodiscard]] Bytes serialize() const;
  // packet_count: how many packets serialize() writes.
  [[nodiscard]] std::size_t packet_count() const;

  [[nodiscard]] const StoredComponent& primary() const noexcept { return primary_; }
  [[nodiscard]] const std::vector<StoredComponent>& user_ids_and_attributes() const noexcept {
    return user_items_;
  }
  [[nodiscard]] const std::vector<StoredComponent>& subkeys() const noexcept { return subkeys_; }

  // merge: the union of two copies of one certificate, as `gpg --import`
  // makes it: every component and every signature of either, each once
  // (compared byte for byte), in `base`'s order with new ones appended.
  // Fails with Errc::invalid_argument when the primary keys differ.
  [[nodiscard]] static Result<StoredCert> merge(const StoredCert& base, const StoredCert& other);

 private:
  friend Result<std::vector<StoredCert>> parse_stored_certs(ByteView, const StoreParseLimits&);
  StoredComponent primary_;
  StoredKey primary_key_;
  std::vector<StoredComponent> user_items_;  // user IDs (13) and user attributes (17)
  std::vector<StoredComponent> subkeys_;
  std::vector<StoredKey> subkey_keys_;  // parallel to subkeys_
};

// parse_stored_certs: every certificate in `data`, binary or ASCII-armored
// (RFC 9580 §6; several armor blocks, CRLF and trailing whitespace allowed,
// the CRC24 checked when present). Fails with Errc::bad_armor,
// Errc::malformed_packet or Errc::malformed_certificate naming the offset
// (of the binary data) and the rule broken; secret keys are refused with a
// hint to export the public certificate instead.
[[nodiscard]] Result<std::vector<StoredCert>> parse_stored_certs(
    ByteView data, const StoreParseLimits& limits = {});

}  // namespace pgptls::keyring
