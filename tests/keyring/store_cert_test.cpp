// The store's certificate reader (keyring_store_cert.h) on real
// certificates: gpg's exports, the GnuTLS 3.5 reference keys, and hostile
// mutations of them.
#include "keyring/keyring_store_cert.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "base/encoding.h"
#include "base/file.h"
#include "keyring/errors.h"
#include "tests/keyring/store_gpg.h"
#include "tests/keyring/store_world.h"

namespace pgptls::keyring {
namespace {

using test::store_world;

Bytes load(const std::filesystem::path& path) {
  return *base::read_file(path);
}

std::string text_of(const Bytes& bytes) {
  return {bytes.begin(), bytes.end()};
}

Bytes bytes_of(const std::string& text) {
  return to_bytes(as_bytes_view(text));
}

std::vector<std::size_t> packet_boundaries(const Bytes& binary) {
  // Boundaries as gpg sees them: the offsets --list-packets prints.
  std::vector<std::size_t> offsets;
  const StoredCert cert = (*parse_stored_certs(binary))[0];
  std::size_t at = 0;
  const auto add = [&](const StoredComponent& component) {
    at += component.packet.raw.size();
    offsets.push_back(at);
    for (const StoredPacket& signature : component.signatures) {
      at += signature.raw.size();
      offsets.push_back(at);
    }
  };
  add(cert.primary());
  for (const auto& item : cert.user_ids_and_attributes()) {
    add(item);
  }
  for (const auto& subkey : cert.subkeys()) {
    add(subkey);
  }
  return offsets;
}

TEST(StoredCertTest, ReferenceKeysHaveGpgsFingerprints) {
  const std::filesystem::path keys =
      std::filesystem::path(PGPTLS_TEST_DATA_DIR) / "gnutls-3.5/keys";
  std::ifstream list(keys / "FINGERPRINTS.txt");
  std::string name;
  std::string fingerprint;
  int checked = 0;
  while (list >> name >> fingerprint) {
    for (const char* suffix : {".pub.asc", ".pub.gpg"}) {
      const auto file = keys / (name + suffix);
      if (!std::filesystem::exists(file)) {
        continue;
      }
      const Bytes data = load(file);
      const auto certs = parse_stored_certs(data);
      ASSERT_TRUE(certs.ok()) << file << ": " << certs.error().message();
      ASSERT_EQ(certs->size(), 1u) << file;
      EXPECT_EQ(base::hex_encode_upper((*certs)[0].fingerprint()), fingerprint) << file;
      if (std::string(suffix) == ".pub.gpg") {
        // Kept byte for byte: writing it back gives gpg's export.
        EXPECT_EQ((*certs)[0].serialize(), data) << file;
      }
      ++checked;
    }
  }
  EXPECT_GE(checked, 15);

  const auto pair = parse_stored_certs(load(keys / "signer+b.pub.asc"));
  ASSERT_TRUE(pair.ok());
  ASSERT_EQ(pair->size(), 2u);
  EXPECT_EQ(base::hex_encode_upper((*pair)[1].fingerprint()),
            "9D8E1CC56181F586825E76FA57CDC70C02927A5C");

  // sub3-a: the [SA] subkey of the README, key ID 8E622E61C5955DD4.
  const auto sub3 = parse_stored_certs(load(keys / "sub3-a.pub.gpg"));
  ASSERT_TRUE(sub3.ok());
  const auto components = (*sub3)[0].component_keys();
  ASSERT_EQ(components.size(), 3u);
  EXPECT_EQ(base::hex_encode_upper(components[1].key_id), "8E622E61C5955DD4");
  EXPECT_EQ((*sub3)[0].user_ids(), std::vector<std::string>{"xmpp:sub3-a.example"});
}

TEST(StoredCertTest, ArmorToleratesCrlfMissingChecksumAndSurroundingText) {
  const auto& world = store_world();
  const std::string armored = text_of(load(world.dir / "x-more.asc"));
  const Bytes expected = (*parse_stored_certs(load(world.dir / "x-more.asc")))[0].serialize();

  std::string crlf;
  for (const char c : armored) {
    crlf += c == '\n' ? std::string("  \r\n") : std::string(1, c);
  }
  std::string no_crc;
  std::istringstream lines(armored);
  for (std::string line; std::getline(lines, line);) {
    if (!(line.size() == 5 && line[0] == '=')) {
      no_crc += line + "\n";
    }
  }
  ASSERT_NE(no_crc, armored) << "gpg wrote no checksum line";
  const std::string wrapped = "Here is my key:\n\n" + armored + "\nThanks.\n";
  for (const std::string& variant : {crlf, no_crc, wrapped}) {
    const auto certs = parse_stored_certs(bytes_of(variant));
    ASSERT_TRUE(certs.ok()) << certs.error().message();
    ASSERT_EQ(certs->size(), 1u);
    EXPECT_EQ((*certs)[0].serialize(), expected);
    EXPECT_EQ((*certs)[0].user_ids(),
              (std::vector<std::string>{"xmpp:x.example", "Server X <xmpp:x2.example>"}));
  }
}

TEST(StoredCertTest, ArmorDamageIsReported) {
  const std::string armored = text_of(load(store_world().dir / "x-more.asc"));
  // A changed checksum.
  std::string bad_crc = armored;
  const std::size_t crc = bad_crc.find("\n=") + 2;
  bad_crc[crc] = bad_crc[crc] == 'A' ? 'B' : 'A';
  // A changed body character.
  std::string bad_body = armored;
  const std::size_t body = bad_body.find("\n\n") + 10;
  bad_body[body] = bad_body[body] == 'A' ? 'B' : 'A';
  // Cut before the END line.
  const std::string cut = armored.substr(0, armored.find("-----END"));
  const std::pair<std::string, std::string> cases[] = {
      {bad_crc, "CRC24 checksum mismatch"},    {bad_body, "armor block 1"}, {cut, "no END line"},
      {"just some text\n", "no OpenPGP data"}, {"", "no OpenPGP data"},
  };
  for (const auto& [input, reason] : cases) {
    const auto certs = parse_stored_certs(bytes_of(input));
    ASSERT_FALSE(certs.ok()) << reason;
    EXPECT_NE(certs.error().message().find(reason), std::string::npos) << certs.error().message();
  }
}

TEST(StoredCertTest, EveryTruncationIsAnErrorOrAWholeCertificate) {
  const Bytes binary = load(store_world().dir / "x.pgp");
  const auto boundaries = packet_boundaries(binary);
  ASSERT_EQ(boundaries.back(), binary.size());
  for (std::size_t length = 1; length < binary.size(); ++length) {
    const auto certs = parse_stored_certs(ByteView(binary).first(length));
    const bool boundary =
        std::find(boundaries.begin(), boundaries.end(), length) != boundaries.end();
    EXPECT_EQ(certs.ok(), boundary) << "prefix of " << length << " bytes";
    if (!certs.ok()) {
      EXPECT_EQ(certs.error().code, make_error_code(Errc::malformed_packet));
      EXPECT_NE(certs.error().message().find("offset"), std::string::npos);
    }
  }
}

TEST(StoredCertTest, HostileLengthsAreRefused) {
  const Bytes binary = load(store_world().dir / "x.pgp");
  const StoredCert cert = (*parse_stored_certs(binary))[0];
  const std::size_t header = cert.primary().packet.header;
  const Bytes body = to_bytes(cert.primary().packet.body());
  const Bytes rest(binary.begin() + static_cast<std::ptrdiff_t>(cert.primary().packet.raw.size()),
                   binary.end());
  const auto with_header = [&](Bytes new_header) {
    new_header.insert(new_header.end(), body.begin(), body.end());
    new_header.insert(new_header.end(), rest.begin(), rest.end());
    return new_header;
  };
  ASSERT_GT(header, 0u);
  // New-format public key header (0xC6) with a partial body length (0xE5).
  const auto partial = parse_stored_certs(with_header({0xC6, 0xE5}));
  ASSERT_FALSE(partial.ok());
  EXPECT_NE(partial.error().message().find("partial body length"), std::string::npos);
  // A five-octet length of 2^32 - 1.
  const auto huge = parse_stored_certs(with_header({0xC6, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}));
  ASSERT_FALSE(huge.ok());
  EXPECT_NE(huge.error().message().find("4294967295 bytes, over the limit"), std::string::npos)
      << huge.error().message();
  // Legacy header (tag 6) with an indeterminate length.
  const auto indeterminate = parse_stored_certs(with_header({0x9B}));
  ASSERT_FALSE(indeterminate.ok());
  EXPECT_NE(indeterminate.error().message().find("indeterminate length"), std::string::npos);
  // Certificate over its size cap.
  StoreParseLimits small;
  small.max_certificate_size = binary.size() - 1;
  const auto capped = parse_stored_certs(binary, small);
  ASSERT_FALSE(capped.ok());
  EXPECT_NE(capped.error().message().find("larger than the limit"), std::string::npos);
}

TEST(StoredCertTest, StructureErrorsNameTheOffset) {
  const Bytes binary = load(store_world().dir / "x.pgp");
  const StoredCert cert = (*parse_stored_certs(binary))[0];
  const std::size_t first = cert.primary().packet.raw.size();
  const auto headless = parse_stored_certs(ByteView(binary).subspan(first));
  ASSERT_FALSE(headless.ok());
  EXPECT_EQ(headless.error().code, make_error_code(Errc::malformed_certificate));
  EXPECT_NE(headless.error().message().find("tag 13 at offset 0 before any primary key"),
            std::string::npos)
      << headless.error().message();

  // The user ID moved after the subkey breaks RFC 9580 §10.1 order.
  Bytes reordered = cert.primary().packet.raw;
  for (const auto& subkey : cert.subkeys()) {
    reordered.insert(reordered.end(), subkey.packet.raw.begin(), subkey.packet.raw.end());
  }
  const auto& uid = cert.user_ids_and_attributes()[0].packet.raw;
  reordered.insert(reordered.end(), uid.begin(), uid.end());
  const auto misplaced = parse_stored_certs(reordered);
  ASSERT_FALSE(misplaced.ok());
  EXPECT_NE(misplaced.error().message().find("after a subkey"), std::string::npos);
}

TEST(StoredCertTest, SecretKeysAndOtherArmorAreRefused) {
  const auto& world = store_world();
  for (const char* file : {"x-secret.pgp", "x-secret.asc"}) {
    const auto certs = parse_stored_certs(load(world.dir / file));
    ASSERT_FALSE(certs.ok()) << file;
    EXPECT_NE(certs.error().message().find("export the public certificate (gpg --export)"),
              std::string::npos)
        << certs.error().message();
  }
  const auto signature = parse_stored_certs(load(world.dir / "sig.asc"));
  ASSERT_FALSE(signature.ok());
  EXPECT_NE(signature.error().message().find("is a 'SIGNATURE', not a 'PUBLIC KEY BLOCK'"),
            std::string::npos)
      << signature.error().message();
}

TEST(StoredCertTest, MergeIsTheUnionOfPackets) {
  const auto& world = store_world();
  const StoredCert x = (*parse_stored_certs(load(world.dir / "x.pgp")))[0];
  const StoredCert more = (*parse_stored_certs(load(world.dir / "x-more.asc")))[0];
  const StoredCert y = (*parse_stored_certs(load(world.dir / "y.pgp")))[0];
  const auto merged = StoredCert::merge(x, more);
  ASSERT_TRUE(merged.ok());
  EXPECT_EQ(merged->serialize(), more.serialize());
  const auto back = StoredCert::merge(more, x);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->packet_count(), more.packet_count());
  EXPECT_EQ(StoredCert::merge(x, x)->serialize(), x.serialize());
  const auto mismatch = StoredCert::merge(x, y);
  ASSERT_FALSE(mismatch.ok());
  EXPECT_NE(mismatch.error().message().find("cannot merge certificate " + world.y),
            std::string::npos);
}

}  // namespace
}  // namespace pgptls::keyring
