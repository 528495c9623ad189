#include "endpoint/certificate_files.h"

#include <string>
#include <utility>

#include "base/file.h"
#include "openpgp/errors.h"

namespace pgptls::endpoint {

Result<std::vector<openpgp::Cert>> read_certificates(const std::filesystem::path& file) {
  // An exported keyring of many certificates stays well under 64 MiB.
  auto content = base::read_file(file, std::size_t{64} << 20);
  if (!content.ok()) {
    return std::move(content).error();
  }
  auto certs = openpgp::parse_certificates(*content);
  if (!certs.ok()) {
    return std::move(certs).error().wrap(file.string());
  }
  if (certs->empty()) {
    return make_error(openpgp::Errc::not_found, file.string() + " holds no OpenPGP certificate");
  }
  return certs;
}

Result<openpgp::Cert> read_one_certificate(const std::filesystem::path& file) {
  PGPTLS_TRY(std::vector<openpgp::Cert> certs, read_certificates(file));
  if (certs.size() != 1) {
    return make_error(openpgp::Errc::invalid_argument,
                      file.string() + " holds " + std::to_string(certs.size()) +
                          " certificates; give a file with exactly one");
  }
  return std::move(certs.front());
}

}  // namespace pgptls::endpoint
