#include "tls/trust/pkix_verify.h"

#include <gnutls/gnutls.h>
#include <gnutls/x509-ext.h>
#include <gnutls/x509.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <memory>
#include <string>

#include "base/gnutls_handles.h"
#include "tls/crypto/gnutls_keys.h"
#include "tls/wire/errors.h"

namespace pgptls::tls {
namespace {

constexpr std::size_t kMaxChainLength = 16;

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// RFC 6125 §6.4.3: "*" may only be the whole leftmost label, and matches
// exactly one label.
bool dns_id_matches(std::string_view pattern_text, const std::string& domain) {
  const std::string pattern = lower(pattern_text);
  if (pattern == domain) {
    return true;
  }
  if (pattern.size() > 2 && pattern.compare(0, 2, "*.") == 0) {
    const std::string rest = pattern.substr(1);  // ".example.org"
    const auto dot = domain.find('.');
    return dot != std::string::npos && dot > 0 && domain.substr(dot) == rest &&
           rest.find('.', 1) != std::string::npos;  // never "*.org"
  }
  return false;
}

struct SanDeleter {
  void operator()(gnutls_subject_alt_names_t sans) const { gnutls_subject_alt_names_deinit(sans); }
};

std::string dn_of(gnutls_x509_crt_t crt, bool issuer) {
  gnutls_datum_t dn{nullptr, 0};
  const int rc =
      issuer ? gnutls_x509_crt_get_issuer_dn3(crt, &dn, 0) : gnutls_x509_crt_get_dn3(crt, &dn, 0);
  if (rc < 0) {
    return "?";
  }
  std::string text(reinterpret_cast<const char*>(dn.data), dn.size);
  gnutls_free(dn.data);
  return text;
}

}  // namespace

Result<std::string> xmpp_name_matches(ByteView leaf_der, std::string_view domain_text) {
  const std::string domain = lower(domain_text);
  PGPTLS_TRY(const auto crt, x509_certificate_from_der(leaf_der));
  gnutls_datum_t extension{nullptr, 0};
  unsigned int critical = 0;
  // 2.5.29.17: subjectAltName (RFC 5280 §4.2.1.6).
  int rc = gnutls_x509_crt_get_extension_by_oid2(crt.get(), "2.5.29.17", 0, &extension, &critical);
  if (rc < 0) {
    return make_error(Errc::peer_rejected,
                      "the certificate has no subjectAltName, so it names no XMPP domain");
  }
  gnutls_subject_alt_names_t raw_sans = nullptr;
  if (gnutls_subject_alt_names_init(&raw_sans) < 0) {
    gnutls_free(extension.data);
    return make_error(Errc::internal_error, "gnutls_subject_alt_names_init failed");
  }
  const std::unique_ptr<std::remove_pointer_t<gnutls_subject_alt_names_t>, SanDeleter> sans(
      raw_sans);
  rc = gnutls_x509_ext_import_subject_alt_names(&extension, sans.get(), 0);
  gnutls_free(extension.data);
  if (rc < 0) {
    return make_error(Errc::bad_certificate,
                      std::string("subjectAltName does not parse: ") + gnutls_strerror(rc));
  }
  std::string seen;
  for (unsigned int index = 0;; ++index) {
    unsigned int type = 0;
    gnutls_datum_t san{nullptr, 0};
    gnutls_datum_t oid{nullptr, 0};
    rc = gnutls_subject_alt_names_get(sans.get(), index, &type, &san, &oid);
    if (rc == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE) {
      break;
    }
    if (rc < 0) {
      return make_error(Errc::bad_certificate,
                        std::string("subjectAltName entry does not parse: ") + gnutls_strerror(rc));
    }
    const std::string_view value(reinterpret_cast<const char*>(san.data), san.size);
    if (type == GNUTLS_SAN_DNSNAME) {
      seen += " DNS-ID " + std::string(value);
      if (dns_id_matches(value, domain)) {
        return "DNS-ID " + std::string(value);
      }
    } else if (type == GNUTLS_SAN_OTHERNAME && oid.data != nullptr) {
      unsigned int virtual_type = 0;
      gnutls_datum_t decoded{nullptr, 0};
      if (gnutls_x509_othername_to_virtual(reinterpret_cast<const char*>(oid.data), &san,
                                           &virtual_type, &decoded) < 0) {
        continue;  // an otherName we do not know
      }
      const std::string name(reinterpret_cast<const char*>(decoded.data), decoded.size);
      gnutls_free(decoded.data);
      if (virtual_type == GNUTLS_SAN_OTHERNAME_XMPP) {
        seen += " XmppAddr " + name;
        if (lower(name) == domain) {
          return "XmppAddr " + name;
        }
      } else if (virtual_type == GNUTLS_SAN_OTHERNAME_SRV) {
        seen += " SRV-ID " + name;
        if (lower(name) == "_xmpp-server." + domain) {
          return "SRV-ID " + name;
        }
      }
    }
  }
  return make_error(Errc::peer_rejected,
                    "the certificate does not name " + domain + " (it has" +
                        (seen.empty() ? std::string(" no DNS-ID, SRV-ID or XmppAddr") : seen) +
                        "); it needs a DNS-ID, SRV-ID _xmpp-server." + domain +
                        " or XmppAddr for it");
}

Result<std::string> pkix_verify(const std::vector<Bytes>& chain, std::string_view domain,
                                const std::filesystem::path& ca_file, base::TimePoint now) {
  if (chain.empty() || chain.size() > kMaxChainLength) {
    return make_error(Errc::peer_rejected, "PKIX needs a chain of 1 to 16 certificates");
  }
  std::vector<base::X509CertificateHandle> owned;
  std::vector<gnutls_x509_crt_t> certificates;
  for (const Bytes& der : chain) {
    PGPTLS_TRY(auto crt, x509_certificate_from_der(der));
    certificates.push_back(crt.get());
    owned.push_back(std::move(crt));
  }

  // Validity against the injected clock (GnuTLS's own time checks use the
  // system time, so they are disabled below).
  const auto seconds = std::chrono::time_point_cast<std::chrono::seconds>(now);
  const time_t now_t = static_cast<time_t>(seconds.time_since_epoch().count());
  for (std::size_t i = 0; i < certificates.size(); ++i) {
    const time_t not_before = gnutls_x509_crt_get_activation_time(certificates[i]);
    const time_t not_after = gnutls_x509_crt_get_expiration_time(certificates[i]);
    if (now_t < not_before || now_t > not_after) {
      return make_error(Errc::peer_rejected,
                        "certificate " + std::to_string(i) + " of the chain (" +
                            dn_of(certificates[i], false) + ") is " +
                            (now_t < not_before ? "not yet valid" : "expired") +
                            "; the peer must renew it");
    }
  }

  gnutls_x509_trust_list_t raw_list = nullptr;
  if (gnutls_x509_trust_list_init(&raw_list, 0) < 0) {
    return make_error(Errc::internal_error, "gnutls_x509_trust_list_init failed");
  }
  const auto list_deleter = [](gnutls_x509_trust_list_t list) {
    gnutls_x509_trust_list_deinit(list, 1);
  };
  const std::unique_ptr<std::remove_pointer_t<gnutls_x509_trust_list_t>, decltype(list_deleter)>
      list(raw_list, list_deleter);
  const int added = ca_file.empty()
                        ? gnutls_x509_trust_list_add_system_trust(list.get(), 0, 0)
                        : gnutls_x509_trust_list_add_trust_file(list.get(), ca_file.c_str(),
                                                                nullptr, GNUTLS_X509_FMT_PEM, 0, 0);
  if (added <= 0) {
    return make_error(
        Errc::peer_rejected,
        "no trusted CAs could be loaded from " +
            (ca_file.empty() ? std::string("the system trust store") : ca_file.string()) +
            "; install ca-certificates or fix the PKIX CA file");
  }
  unsigned int status = 0;
  const int rc = gnutls_x509_trust_list_verify_crt(
      list.get(), certificates.data(), static_cast<unsigned int>(certificates.size()),
      GNUTLS_VERIFY_DISABLE_TIME_CHECKS | GNUTLS_VERIFY_DISABLE_TRUSTED_TIME_CHECKS, &status,
      nullptr);
  if (rc < 0) {
    return make_error(Errc::internal_error,
                      std::string("PKIX verification failed: ") + gnutls_strerror(rc));
  }
  if (status != 0) {
    gnutls_datum_t text{nullptr, 0};
    std::string reason = "not trusted";
    if (gnutls_certificate_verification_status_print(status, GNUTLS_CRT_X509, &text, 0) >= 0) {
      reason.assign(reinterpret_cast<const char*>(text.data), text.size);
      gnutls_free(text.data);
    }
    return make_error(
        Errc::peer_rejected,
        "the X.509 chain does not validate against " +
            (ca_file.empty() ? std::string("the system trust store") : ca_file.string()) + ": " +
            reason);
  }
  PGPTLS_TRY(const std::string identifier, xmpp_name_matches(chain.front(), domain));
  return identifier + ", issuer " + dn_of(certificates.back(), true);
}

}  // namespace pgptls::tls
