// certificate_files.h: OpenPGP certificates read from files named by an
// operator (credential, authority and peer files), with errors that name
// the file.
#pragma once

#include <filesystem>
#include <vector>

#include "base/result.h"
#include "openpgp/cert.h"

namespace pgptls::endpoint {

// read_certificates: every certificate in a file (binary or armored, one or
// more). Fails with an error naming the file, also when it holds none.
[[nodiscard]] Result<std::vector<openpgp::Cert>> read_certificates(
    const std::filesystem::path& file);

// read_one_certificate: as read_certificates, but the file must hold exactly
// one certificate.
[[nodiscard]] Result<openpgp::Cert> read_one_certificate(const std::filesystem::path& file);

}  // namespace pgptls::endpoint
