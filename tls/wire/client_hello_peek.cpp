#include "tls/wire/client_hello_peek.h"

#include <algorithm>
#include <string>

#include "tls/wire/content_type.h"
#include "tls/wire/errors.h"
#include "tls/wire/messages/extensions.h"
#include "tls/wire/messages/types.h"
#include "tls/wire/record_header.h"

namespace pgptls::tls {
namespace {

using messages::ExtensionType;
using messages::find_extension;

Error hello_error(Errc code, const std::string& what) {
  return make_error(code, "ClientHello: " + what);
}

bool contains(const std::vector<CertificateType>& types, CertificateType type) {
  return std::find(types.begin(), types.end(), type) != types.end();
}

std::string type_list(const std::vector<CertificateType>& types) {
  std::string text;
  for (const CertificateType type : types) {
    text += (text.empty() ? "" : ", ") + std::string(certificate_type_name(type));
  }
  return text;
}

}  // namespace

bool ClientHelloSummary::offers(CertificateType type) const {
  // RFC 6091 §3.1: without cert_type the client accepts X.509 only.
  return certificate_types ? contains(*certificate_types, type) : type == CertificateType::x509;
}

Result<ClientHelloSummary> summarize_client_hello(const messages::ClientHello& hello) {
  ClientHelloSummary summary;
  summary.legacy_version = hello.legacy_version;
  const auto& extensions = hello.extensions;
  if (const auto* cert_type = find_extension(extensions, ExtensionType::cert_type)) {
    // RFC 6091 §2: certificate_types<1..2^8-1>; an empty list is decode_error.
    PGPTLS_TRY(summary.certificate_types, messages::parse_client_cert_types(cert_type->data));
  }
  if (const auto* versions = find_extension(extensions, ExtensionType::supported_versions)) {
    // RFC 8446 §4.2.1: with supported_versions, legacy_version is ignored.
    PGPTLS_TRY(const auto list, messages::parse_client_supported_versions(versions->data));
    summary.offers_tls13 = std::find(list.begin(), list.end(), messages::kTls13) != list.end();
    summary.offers_tls12 = std::find(list.begin(), list.end(), kTls12) != list.end();
  } else {
    // RFC 5246 Appendix E.1: legacy_version is the highest the client has.
    summary.offers_tls12 = hello.legacy_version >= kTls12;
  }
  const auto* ems = find_extension(extensions, ExtensionType::extended_master_secret);
  summary.offers_extended_master_secret = ems != nullptr;
  // Every other extension pgptls reads is decoded here too, by the codec the
  // RFC 6091 engine uses, so a malformed one gets the same alert whichever
  // engine the hello goes to (GnuTLS ignores some malformations, such as a
  // bad ec_point_formats list or a server_name that is no DNS name).
  if (ems != nullptr) {
    PGPTLS_CHECK(messages::expect_empty_extension(ems->data, "extended_master_secret"));
  }
  if (const auto* sni = find_extension(extensions, ExtensionType::server_name)) {
    PGPTLS_CHECK(messages::parse_server_name(sni->data));  // RFC 6066 §3
  }
  for (const ExtensionType type :
       {ExtensionType::supported_groups, ExtensionType::signature_algorithms}) {
    if (const auto* list = find_extension(extensions, type)) {
      PGPTLS_CHECK(messages::parse_u16_list(list->data));  // RFC 8422 §5.1.1, RFC 5246 §7.4.1.4.1
    }
  }
  if (const auto* formats = find_extension(extensions, ExtensionType::ec_point_formats)) {
    PGPTLS_CHECK(messages::parse_point_formats(formats->data));  // RFC 8422 §5.1.2
  }
  if (const auto* reneg = find_extension(extensions, ExtensionType::renegotiation_info)) {
    PGPTLS_CHECK(messages::parse_renegotiation_info(reneg->data));  // RFC 5746 §3.2
  }
  if (const auto* alpn = find_extension(extensions, ExtensionType::alpn)) {
    PGPTLS_CHECK(messages::parse_alpn(alpn->data));  // RFC 7301 §3.1
  }
  return summary;
}

Result<EngineChoice> choose_engine(const ClientHelloSummary& hello, const ServerOffer& server) {
  if (!hello.offers_tls12 && !(hello.offers_tls13 && server.tls13)) {
    // RFC 5246 Appendix E.1: the client's versions are all below ours.
    return hello_error(Errc::protocol_version,
                       "the client offers neither TLS 1.2 nor TLS 1.3, the versions pgptls speaks");
  }
  // RFC 6091 §3.1: the server selects one of the client's certificate types
  // or terminates with unsupported_certificate. A hello that offers OpenPGP
  // goes to the RFC 6091 engine when the server serves OpenPGP (that engine
  // makes the selection among the types it holds, in the client's order);
  // otherwise X.509 (offered, or implied by an absent extension) goes to the
  // GnuTLS engine.
  std::optional<EngineChoice> choice;
  if (hello.offers(CertificateType::openpgp) && server.openpgp) {
    choice = EngineChoice::rfc6091;
  } else if (hello.offers(CertificateType::x509) && server.x509) {
    choice = EngineChoice::gnutls;
  }
  const std::vector<CertificateType> client_types =
      hello.certificate_types.value_or(std::vector<CertificateType>{CertificateType::x509});
  if (!choice) {
    std::vector<CertificateType> ours;
    if (server.openpgp) {
      ours.push_back(CertificateType::openpgp);
    }
    if (server.x509) {
      ours.push_back(CertificateType::x509);
    }
    return hello_error(Errc::unsupported_certificate, "the client accepts certificate types [" +
                                                          type_list(client_types) +
                                                          "], this server has credentials for [" +
                                                          type_list(ours) + "] (RFC 6091 §3.1)");
  }
  // RFC 7627 §5.2: a server that does not interoperate with legacy clients
  // aborts a handshake without extended_master_secret (insufficient_security,
  // the alert the RFC 6091 engine sends for it too). TLS 1.3 (RFC 8446
  // §7.1) always binds the master secret to the transcript; the RFC 6091
  // engine speaks TLS 1.2 only.
  const bool tls13 = *choice == EngineChoice::gnutls && hello.offers_tls13 && server.tls13;
  if (!tls13 && !hello.offers_extended_master_secret) {
    return hello_error(Errc::insufficient_security,
                       "a TLS 1.2 hello without extended_master_secret (RFC 7627), which pgptls "
                       "requires; upgrade the peer's TLS library");
  }
  return *choice;
}

ClientHelloPeek::ClientHelloPeek(const base::Clock& clock, ServerOffer server, PeekLimits limits)
    : clock_(clock),
      server_(server),
      limits_(limits),
      deadline_(clock.now() + limits.timeout),
      handshake_(limits.max_client_hello_size) {}

Status ClientHelloPeek::check_deadline() const {
  if (clock_.now() >= deadline_) {
    return make_error(Errc::timeout, "no complete ClientHello within " +
                                         std::to_string(limits_.timeout.count()) +
                                         " ms; the client is too slow or not speaking TLS");
  }
  return {};
}

Result<std::optional<DispatchDecision>> ClientHelloPeek::examine(ByteView received) {
  if (failure_) {
    return *failure_;
  }
  if (decided_) {
    return make_error(Errc::invalid_state,
                      "the ClientHello was already handed on; feed the chosen engine");
  }
  if (received.size() < seen_) {
    return make_error(Errc::invalid_state,
                      "examine() needs every byte received so far, and got fewer than before");
  }
  seen_ = received.size();
  if (auto deadline = check_deadline(); !deadline.ok()) {
    failure_ = deadline.error();
    return *failure_;
  }
  auto result = process(received);
  if (!result.ok()) {
    failure_ = result.error();
  }
  return result;
}

Result<std::optional<DispatchDecision>> ClientHelloPeek::process(ByteView received) {
  // RFC 5246 Appendix E.2: an SSL 2 CLIENT-HELLO has the high bit of its
  // first byte set, msg_type 1 in the third and a version {03,XX} (or SSL
  // 2's {00,02}) next.
  if (offset_ == 0 && received.size() >= 5 && (received[0] & 0x80) != 0 && received[2] == 1 &&
      (received[3] == 3 || (received[3] == 0 && received[4] == 2))) {
    return hello_error(Errc::protocol_version,
                       "an SSL 2 style hello; the client must speak TLS 1.2 or 1.3");
  }
  // RFC 5246 §6.2.1: a handshake message may span records of any size, so
  // read record after record; each is read once however small the steps.
  while (true) {
    const ByteView rest = received.subspan(offset_);
    PGPTLS_TRY(const auto header,
               read_record_header(rest, RecordVersionRule::any_tls, kMaxPlaintextLength));
    if (!header) {
      return std::optional<DispatchDecision>();
    }
    if (header->type != ContentType::handshake) {
      // RFC 5246 §7.4: the first message is the ClientHello; a
      // ChangeCipherSpec, alert or application data before it is out of
      // order.
      return hello_error(Errc::unexpected_message,
                         std::string(content_type_name(header->type)) +
                             " record before the ClientHello was complete");
    }
    if (rest.size() < kRecordHeaderLength + header->length) {
      return std::optional<DispatchDecision>();  // the rest of the record
    }
    const ByteView fragment = rest.subspan(kRecordHeaderLength, header->length);
    const bool first_fragment = offset_ == 0;
    offset_ += kRecordHeaderLength + header->length;
    if (first_fragment && !fragment.empty() &&
        fragment[0] != static_cast<std::uint8_t>(messages::HandshakeType::client_hello)) {
      return hello_error(Errc::unexpected_message,
                         "the first handshake message is " +
                             std::string(messages::handshake_type_name(fragment[0])) +
                             ", not client_hello (RFC 5246 §7.3)");
    }
    PGPTLS_CHECK(handshake_.add(fragment));
    if (auto hello = handshake_.next()) {
      PGPTLS_TRY(DispatchDecision decision, decide(*hello));
      if (!handshake_.empty()) {
        // RFC 5246 §7.3: the client waits for the server's flight; a
        // message after the hello is out of order.
        return hello_error(Errc::unexpected_message,
                           "another handshake message follows the ClientHello in its record");
      }
      decided_ = true;
      return std::optional<DispatchDecision>(std::move(decision));
    }
  }
}

Result<DispatchDecision> ClientHelloPeek::decide(const messages::HandshakeMessage& hello) {
  auto parsed = messages::parse_client_hello(hello.body);
  if (!parsed.ok()) {
    return std::move(parsed).error().wrap("ClientHello");
  }
  DispatchDecision decision;
  PGPTLS_TRY(decision.hello, summarize_client_hello(*parsed));
  PGPTLS_TRY(decision.engine, choose_engine(decision.hello, server_));
  return decision;
}

}  // namespace pgptls::tls
