// pgptls's key block and record protection against GnuTLS 3.7's record layer,
// for all six suites (the captures cover only two): a GnuTLS client and
// server shake hands over memory; with the session's master secret our
// records decrypt what GnuTLS sends, and GnuTLS accepts what we send.
#include <gtest/gtest.h>

#include <string>

#include "tests/tls/crypto_gnutls_pair.h"
#include "tests/tls/crypto_tools.h"
#include "tls/crypto/prf.h"
#include "tls/rfc6091/record_layer.h"

namespace pgptls::tls {
namespace {

// protected_reader: a record layer whose reads are already protected by
// `protection` (it is fed a ChangeCipherSpec first, the only way in).
RecordLayer protected_reader(RecordProtection protection) {
  RecordLayer layer;
  layer.lock_version();
  layer.expect_change_cipher_spec(std::move(protection));
  RecordLayer ccs;
  ccs.lock_version();
  EXPECT_TRUE(ccs.write(ContentType::change_cipher_spec, Bytes{1}).ok());
  layer.feed(ccs.pending_output());
  auto record = layer.next_record();
  EXPECT_TRUE(record.ok() && record->has_value());
  return layer;
}

TEST(TlsCryptoGnutls, RecordsInteroperateWithGnutlsForEverySuite) {
  for (const CipherSuite& suite : supported_cipher_suites()) {
    SCOPED_TRACE(std::string(suite.name));
    auto pair = test::GnutlsPair::connect(suite.id);
    ASSERT_TRUE(pair.ok()) << pair.error().message();
    test::GnutlsPair& gnutls = **pair;
    // GnuTLS negotiated the suite we forced, with the extended master secret.
    const std::string gnutls_name = gnutls_cipher_suite_get_name(gnutls_kx_get(gnutls.client()),
                                                                 gnutls_cipher_get(gnutls.client()),
                                                                 gnutls_mac_get(gnutls.client()));
    EXPECT_NE(gnutls_name.find(suite.aead == AeadAlgorithm::chacha20_poly1305 ? "CHACHA20" : "GCM"),
              std::string::npos)
        << gnutls_name;
    EXPECT_NE(gnutls_session_ext_master_secret_status(gnutls.client()), 0u);

    auto keys = derive_key_block(suite, gnutls.master_secret(), gnutls.client_random(),
                                 gnutls.server_random());
    ASSERT_TRUE(keys.ok());
    // Each side has sent one protected record (its Finished): the next
    // sequence number is 1 in both directions.
    auto server_write =
        RecordProtection::create(suite, keys->server_write_key, keys->server_write_iv, 1);
    auto client_write =
        RecordProtection::create(suite, keys->client_write_key, keys->client_write_iv, 1);
    ASSERT_TRUE(server_write.ok() && client_write.ok());

    // GnuTLS server -> pgptls: 20000 bytes in two records.
    const Bytes from_gnutls = test::random_bytes(1, 20000);
    // gnutls_record_send sends one record per call.
    for (std::size_t sent = 0; sent < from_gnutls.size();) {
      const ssize_t n =
          gnutls_record_send(gnutls.server(), from_gnutls.data() + sent, from_gnutls.size() - sent);
      ASSERT_GT(n, 0) << gnutls_strerror(static_cast<int>(n));
      sent += static_cast<std::size_t>(n);
    }
    RecordLayer reader = protected_reader(std::move(server_write).value());
    reader.feed(gnutls.to_client());
    gnutls.to_client().clear();
    Bytes received;
    while (true) {
      auto record = reader.next_record();
      ASSERT_TRUE(record.ok()) << record.error().message();
      if (!record->has_value()) {
        break;
      }
      EXPECT_EQ((*record)->type, ContentType::application_data);
      received.insert(received.end(), (*record)->fragment.begin(), (*record)->fragment.end());
    }
    EXPECT_EQ(received, from_gnutls);

    // pgptls -> GnuTLS server.
    RecordLayer writer;
    writer.lock_version();
    ASSERT_TRUE(writer.write_change_cipher_spec(std::move(client_write).value()).ok());
    writer.consume_output(writer.pending_output().size());  // GnuTLS saw its CCS long ago
    const Bytes from_us = test::random_bytes(2, 20000);
    ASSERT_TRUE(writer.write(ContentType::application_data, from_us).ok());
    gnutls.to_server() = to_bytes(writer.pending_output());
    Bytes decrypted(from_us.size());
    std::size_t got = 0;
    while (got < from_us.size()) {
      const ssize_t n =
          gnutls_record_recv(gnutls.server(), decrypted.data() + got, decrypted.size() - got);
      ASSERT_GT(n, 0) << gnutls_strerror(static_cast<int>(n));
      got += static_cast<std::size_t>(n);
    }
    EXPECT_EQ(decrypted, from_us);

    // A record of ours with one flipped bit is refused by GnuTLS too.
    writer.consume_output(writer.pending_output().size());
    ASSERT_TRUE(writer.write(ContentType::application_data, Bytes(100, 7)).ok());
    Bytes tampered = to_bytes(writer.pending_output());
    tampered[20] ^= 0x04;
    gnutls.to_server() = tampered;
    std::uint8_t sink[200];
    EXPECT_EQ(gnutls_record_recv(gnutls.server(), sink, sizeof sink), GNUTLS_E_DECRYPTION_FAILED);
  }
}

}  // namespace
}  // namespace pgptls::tls
