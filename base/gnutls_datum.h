// gnutls_datum.h: moving bytes in and out of GnuTLS's gnutls_datum_t, so
// each library does not write its own wrapper.
#pragma once

#include <gnutls/gnutls.h>

#include "base/bytes.h"

namespace pgptls::base {

// datum_of: a non-owning datum over bytes. GnuTLS takes non-const pointers
// in datums it only reads.
inline gnutls_datum_t datum_of(ByteView bytes) {
  return gnutls_datum_t{const_cast<unsigned char*>(bytes.data()),
                        static_cast<unsigned int>(bytes.size())};
}

// OwnedDatum: a datum GnuTLS allocated for us (an output parameter), freed
// with gnutls_free.
struct OwnedDatum {
  gnutls_datum_t datum{nullptr, 0};
  OwnedDatum() = default;
  OwnedDatum(const OwnedDatum&) = delete;
  OwnedDatum& operator=(const OwnedDatum&) = delete;
  ~OwnedDatum() { gnutls_free(datum.data); }
  [[nodiscard]] ByteView view() const { return {datum.data, datum.size}; }
  [[nodiscard]] Bytes bytes() const { return Bytes(view().begin(), view().end()); }
};

}  // namespace pgptls::base
